using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Cli;

/// <summary><c>exec</c> and <c>cp</c>: reaching into a session's machine from the command line.</summary>
[Collection(CliNodeCollection.Name)]
public sealed class CliMachineTests(CliNodeFixture node)
{
    [Fact]
    public async Task Exec_streams_the_commands_output_and_exits_with_its_exit_code()
    {
        var id = await node.IdleSessionAsync();

        var script = await node.RunAsync("exec", id, "--", "echo to stdout; echo to stderr >&2; exit 7");
        Assert.Equal(7, script.ExitCode);
        Assert.Equal("to stdout\n", script.Stdout);
        Assert.Equal("to stderr\n", script.Stderr);

        var argv = await node.RunAsync("exec", id, "--", "sh", "-c", "exit 4");
        Assert.Equal(4, argv.ExitCode);

        var json = await node.RunAsync("exec", id, "--json", "--", "printf", "%s", "a b");
        Assert.True(json.ExitCode == 0, json.ToString());
        var result = JsonNode.Parse(json.Stdout)!;
        Assert.Equal("a b", result["stdout"]!.GetValue<string>());
        Assert.Equal(0, result["exit_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Cp_copies_files_and_folders_to_the_workspace_and_back()
    {
        var id = await node.IdleSessionAsync();
        var local = Directory.CreateTempSubdirectory("agentcluster-cli-cp-").FullName;
        try
        {
            var bytes = new byte[300_000];
            Random.Shared.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(local, "data.bin"), bytes);
            Directory.CreateDirectory(Path.Combine(local, "tree", "sub"));
            await File.WriteAllTextAsync(Path.Combine(local, "tree", "sub", "note.txt"), "in a folder\n");

            var up = await CliProcess.RunInAsync(node.Url, local, "cp", "./data.bin", $"{id}:inputs/data.bin");
            Assert.True(up.ExitCode == 0, up.ToString());
            var upTree = await CliProcess.RunInAsync(node.Url, local, "cp", "./tree", $"{id}:copied");
            Assert.True(upTree.ExitCode == 0, upTree.ToString());

            // The machine sees them where they were put.
            var seen = await node.RunAsync("exec", id, "--", "wc -c < inputs/data.bin && cat copied/sub/note.txt");
            Assert.True(seen.ExitCode == 0, seen.ToString());
            Assert.Equal($"{bytes.Length}\nin a folder\n", seen.Stdout);

            var down = await CliProcess.RunInAsync(node.Url, local, "cp", $"{id}:inputs/data.bin", "./back.bin");
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(local, "back.bin")));

            var downTree = await CliProcess.RunInAsync(node.Url, local, "cp", "-r", $"{id}:copied", "./back-tree");
            Assert.True(downTree.ExitCode == 0, downTree.ToString());
            Assert.Equal("in a folder\n", await File.ReadAllTextAsync(Path.Combine(local, "back-tree", "sub", "note.txt")));

            var missing = await CliProcess.RunInAsync(node.Url, local, "cp", $"{id}:no/such/file", "./nothing");
            Assert.Equal(1, missing.ExitCode);
            Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.False(File.Exists(Path.Combine(local, "nothing")) || File.Exists(Path.Combine(local, "nothing.part")));
        }
        finally
        {
            Directory.Delete(local, recursive: true);
        }
    }
}

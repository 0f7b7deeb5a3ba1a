using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentCluster.Tests.Docs;

namespace AgentCluster.Tests.Examples;

/// <summary>
/// The "Reaching into the machine" block of docs/api.md (marked <c>tested-by: ReadmeReachExampleTests</c>), run as it
/// is written (bash and curl), against a node on its embedded default: only its address is changed. What each line
/// prints is checked against what the docs say it prints, and what it leaves (the archive, the restarted session).
/// </summary>
public sealed class ReadmeReachExampleTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_exec_files_archive_and_restart_lines_of_the_docs_do_what_they_show()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var folder = Directory.CreateTempSubdirectory("agentcluster-readme-").FullName;
        try
        {
            var (exitCode, output) = await DocScript.RunAsync(DocBlock.TestedByClass<ReadmeReachExampleTests>(), node, folder);

            Assert.True(exitCode == 0, output);
            Assert.True(output.Contains("\"session_id\":\"box\""), $"the block printed:\n{output}");
            Assert.True(output.Contains("\"stdout\":\"Linux\\n"), $"the block printed:\n{output}");
            Assert.True(output.Contains("\"via\":\"agent\""), $"the block printed:\n{output}");
            Assert.True(Regex.IsMatch(output, @"event: exec\.output\s+data: \{""stream"":""stdout"",""text"":""1\\n""\}"), $"the block printed:\n{output}");
            Assert.True(Regex.IsMatch(output, @"event: exec\.exit\s+data: \{""exit_code"":0,"), $"the block printed:\n{output}");
            Assert.True(output.Contains("\"path\":\"data/input.csv\",\"size\":15"), $"the block printed:\n{output}");
            Assert.True(output.Contains("\"name\":\"input.csv\",\"type\":\"file\",\"size\":15"), $"the block printed:\n{output}");
            Assert.True(output.Contains("name,value\na,1\n"), $"the block printed:\n{output}");
            Assert.True(output.Contains("\"path\":\"data\",\"files\":1"), $"the block printed:\n{output}");
            Assert.Contains("data/input.csv", TarGz.Entries(await File.ReadAllBytesAsync(Path.Combine(folder, "workspace.tar.gz"))).Keys);

            // The restart's new machine keeps nothing of the old rootfs, and the session goes on.
            await using var stream = await SseStream.OpenSessionAsync(node.Http, "box");
            await stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["reason"]?.GetValue<string>() == "restarted", Deadline, "the restart is logged");
            await Eventually.TrueAsync(async () => JsonNode.Parse(await node.Http.GetStringAsync("/sessions/box"))!["status"]!.GetValue<string>() == "idle",
                Deadline, "the restarted session is idle on its new machine");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentCluster.Tests.Examples;

/// <summary>
/// README's "Reaching into the machine" block, run as it is written (bash and curl), against a node on its embedded
/// default: only its address is changed. What each line prints is checked against what README says it prints.
/// </summary>
public sealed partial class ReadmeReachExampleTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_exec_files_archive_and_restart_lines_of_README_do_what_it_shows()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var folder = Directory.CreateTempSubdirectory("agentcluster-readme-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "input.csv"), "name,value\na,1\n");
            await File.WriteAllBytesAsync(Path.Combine(folder, "inputs.tar.gz"), TarGz.Of(TarGz.File("more.txt", "from the archive")));

            var (exitCode, output) = await RunAsync(ReadmeBlock().Replace("localhost:8080", $"127.0.0.1:{node.HttpPort}"), folder);

            Assert.True(exitCode == 0, output);
            Assert.True(output.Contains("\"session_id\":\"box\""), $"README\'s block printed:\n{output}");
            Assert.True(output.Contains("\"stdout\":\"Linux\\n"), $"README\'s block printed:\n{output}");
            Assert.True(output.Contains("\"via\":\"agent\""), $"README\'s block printed:\n{output}");
            Assert.True(Regex.IsMatch(output, @"event: exec\.output\s+data: \{""stream"":""stdout"",""text"":""1\\n""\}"), $"README\'s block printed:\n{output}");
            Assert.True(Regex.IsMatch(output, @"event: exec\.exit\s+data: \{""exit_code"":0,"), $"README\'s block printed:\n{output}");
            Assert.True(output.Contains("\"path\":\"data/input.csv\",\"size\":15"), $"README\'s block printed:\n{output}");
            Assert.True(output.Contains("\"name\":\"input.csv\",\"type\":\"file\",\"size\":15"), $"README\'s block printed:\n{output}");
            Assert.True(output.Contains("name,value\na,1\n"), $"README\'s block printed:\n{output}");
            Assert.True(output.Contains("\"path\":\"data\",\"files\":1"), $"README\'s block printed:\n{output}");
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

    /// <summary>The bash block under README's "Reaching into the machine" heading.</summary>
    private static string ReadmeBlock()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));
        return Block().Match(readme[readme.IndexOf("### Reaching into the machine", StringComparison.Ordinal)..]).Groups[1].Value;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string folder)
    {
        var info = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output + await errors);
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();
}

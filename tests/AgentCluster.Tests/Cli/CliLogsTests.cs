using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Cli;

/// <summary><c>logs</c>: the whole log, from a point (--after), and followed (-f) across broken connections.</summary>
[Collection(CliNodeCollection.Name)]
public sealed class CliLogsTests(CliNodeFixture node)
{
    private const int Lines = 30;

    [Fact]
    public async Task Logs_follow_rides_out_dropped_connections_without_losing_or_repeating_an_event()
    {
        // A task: the session ends with its turn, and so does logs -f.
        var created = await node.RunAsync("run", "--detach", "--task", $"for i in $(seq 1 {Lines}); do echo line-$i; sleep 0.2; done");
        Assert.True(created.ExitCode == 0, created.ToString());
        var id = created.Stdout.Trim();
        await using var proxy = new CuttingProxy(node.Node.HttpPort);

        await using var logs = node.Start("logs", id, "-f", "--url", proxy.Url);
        await logs.WaitForOutputAsync((stdout, _) => stdout.Contains("line-5\n"), "the first lines");
        proxy.CutAll();
        await logs.WaitForOutputAsync((stdout, _) => stdout.Contains("line-15\n"), "lines after the first cut");
        proxy.CutAll();
        var result = await logs.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var printed = result.StdoutLines.Where(l => l.StartsWith("line-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, Lines).Select(i => $"line-{i}"), printed);
        Assert.Contains("· session terminated (completed)", result.StdoutLines);
        Assert.True(proxy.Accepted >= 3, $"the CLI reconnected after each cut ({proxy.Accepted} connections)");
    }

    [Fact]
    public async Task Logs_shows_what_is_logged_so_far_or_only_what_came_after_a_point()
    {
        var id = await node.IdleSessionAsync("echo one; echo two");

        var all = await node.RunAsync("logs", id);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(["one", "two"], all.StdoutLines.Where(l => l is "one" or "two"));

        var head = (await node.SessionAsync(id))["last_event_id"]!.GetValue<long>();
        var after = await node.RunAsync("logs", id, "--after", "2", "--json");
        Assert.True(after.ExitCode == 0, after.ToString());
        var seqs = after.StdoutLines.Select(l => JsonNode.Parse(l)!["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(3, (int)head - 2).Select(i => (long)i), seqs);
    }
}

using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Faults;

/// <summary>
/// SIGTERM on a node that streams sessions to clients, hosts a session's grain and is its agent's first address:
/// it drains (ends its streams and long polls, refuses new requests, hands its grains over to the cluster) and
/// exits 0 well within its shutdown timeout, and the sessions go on through the other node without a stall,
/// each client seeing every event exactly once.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_terminated_node_drains_within_its_shutdown_timeout_and_its_sessions_go_on()
    {
        await using var cluster = await NodeCluster.StartAsync(nodes: 2, environment: new Dictionary<string, string>
        {
            ["ShutdownTimeout"] = ShutdownTimeout.ToString(),
        });
        var sessions = await StreamingSessions.StartAsync(cluster, count: 2, lines: 200, deadline: TimeSpan.FromSeconds(90));
        // The leaving node hosts the first session's grain and is its agent's first address. Each session has a
        // client reading through it and one through the staying node (whose stream reaches into the leaving
        // node while the session's grain is there).
        var leaving = await cluster.HostOfAsync(sessions.Ids[0]);
        var staying = cluster.Nodes.Single(n => n != leaving);
        foreach (var id in sessions.Ids)
        {
            sessions.Read(id, leaving, staying);
            sessions.Read(id, staying);
        }
        await sessions.StreamingAsync();

        var (exitCode, took) = await leaving.TerminateAsync(ShutdownTimeout + TimeSpan.FromSeconds(10));
        Assert.Equal(0, exitCode);
        Assert.True(took < ShutdownTimeout, $"the node took {took.TotalSeconds:0.0} s to exit, more than its {ShutdownTimeout.TotalSeconds:0} s shutdown timeout");

        await sessions.FirstTurnSeenExactlyOnceAsync();
        // No session stalled while the node left (a call held open would freeze a session until it ends).
        var gaps = sessions.FirstTurnGaps();
        Assert.All(gaps, gap => Assert.True(gap.Duration < TimeSpan.FromSeconds(3), $"a session stalled: {gap}"));
        await sessions.NextTurnRunsAsync(staying, turn: 2);

        output.WriteLine($"SIGTERM to exit: {took.TotalSeconds:0.0} s (shutdown timeout {ShutdownTimeout.TotalSeconds:0} s)");
        output.WriteLine($"{sessions.Readers.Sum(r => r.Events.Count)} events checked; longest gap in turn 1 per client: {string.Join("; ", gaps)}");
        foreach (var reader in sessions.Readers) output.WriteLine($"interruptions: {string.Join(" | ", reader.Interruptions)}");
    }
}

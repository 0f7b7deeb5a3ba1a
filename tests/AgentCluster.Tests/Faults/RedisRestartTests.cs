using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Faults;

/// <summary>
/// Redis (append-only, as production should run it) dies mid-stream and comes back on the same port with its
/// data. Meanwhile the nodes answer what needs Redis with 503 ProblemDetails, never 500; once it is back they
/// serve again by themselves, the sessions finish their turns, and no acknowledged event is lost or repeated.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Nodes_ride_out_a_Redis_restart_and_lose_no_acknowledged_event()
    {
        await using var cluster = await NodeCluster.StartAsync(nodes: 2, appendOnlyRedis: true);
        var sessions = await StreamingSessions.StartAsync(cluster, count: 2, lines: 200, deadline: Deadline);
        foreach (var id in sessions.Ids)
            foreach (var node in cluster.Nodes) sessions.Read(id, node);
        await sessions.StreamingAsync();

        var down = Stopwatch.StartNew();
        await cluster.Redis.KillAsync();
        // While Redis is down, what needs it fails as "unavailable, retry", not as a server error.
        var outage = new List<HttpStatusCode>();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await cluster.Nodes[0].Http.PostAsJsonAsync("/sessions", new { prompt = "echo during-outage" });
            outage.Add(response.StatusCode);
            return response.StatusCode != HttpStatusCode.Created;
        }, Deadline, "a create fails while Redis is down");
        using (var refused = await cluster.Nodes[1].Http.GetAsync("/sessions"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, outage[^1]);

        await cluster.Redis.StartAgainAsync();
        var restarted = down.Elapsed;
        var back = Stopwatch.StartNew();
        foreach (var node in cluster.Nodes)
        {
            await Eventually.TrueAsync(async () =>
            {
                using var response = await node.Http.GetAsync("/sessions");
                return response.IsSuccessStatusCode;
            }, Deadline, $"{node.Url} serves again once Redis is back");
        }
        var recovered = back.Elapsed;
        var created = await NodeCluster.CreateSessionAsync(cluster.Nodes[1], "echo after-restart");

        await sessions.FirstTurnSeenExactlyOnceAsync();
        await sessions.NextTurnRunsAsync(cluster.Nodes[0], turn: 2);
        Assert.Single(await cluster.LiveMachinesAsync(created));

        output.WriteLine($"Redis down {restarted.TotalSeconds:0.0} s; both nodes serving again {recovered.TotalSeconds:0.0} s after it restarted");
        output.WriteLine($"during the outage a create answered: {string.Join(", ", outage.Select(s => (int)s))}");
        output.WriteLine($"{sessions.Readers.Sum(r => r.Events.Count)} events checked; longest gap in turn 1 per client: {string.Join("; ", sessions.FirstTurnGaps())}");
    }
}

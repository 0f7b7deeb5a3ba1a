using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// Two node processes on a real redis-server and one Machines emulator: a session created through one node
/// is streamed and driven through the other, and its log lives in Redis at a cost per event that does not
/// grow with the history.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class RedisClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_session_created_on_one_node_streams_and_takes_turns_through_the_other()
    {
        await using var cluster = await NodeCluster.StartAsync(nodes: 2);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);

        var id = await NodeCluster.CreateSessionAsync(a, "echo from-a");

        await using var stream = await SseStream.OpenAsync(b.Http, $"/sessions/{id}/events");
        await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "turn 1 streams through node B");
        Assert.Contains(stream.Received, e => e.Type == "agent.output" && e.Text() == "from-a");

        // A long turn, then the same turn again much later in the session: Redis bytes per event stay flat.
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{cluster.Redis.Port},allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        const int Lines = 1000;
        var early = await MeasureTurnAsync(b.Http, stream, server, id, turn: 2, Lines);
        var late = await MeasureTurnAsync(a.Http, stream, server, id, turn: 3, Lines);
        output.WriteLine($"Redis bytes written per agent.output event: {early:0} on turn 2 (history {Lines} events), {late:0} on turn 3 (history {2 * Lines})");
        Assert.InRange(early, 50, 1000);
        Assert.InRange(late / early, 0.5, 1.5);

        var view = (await b.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        Assert.Equal(("idle", 3), (view["status"]!.GetValue<string>(), view["turns"]!.GetValue<int>()));

        Assert.Equal(HttpStatusCode.OK, (await b.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
        await stream.ReadToEndAsync(Deadline);
        Assert.Empty(await cluster.LiveMachinesAsync(id));
        await Eventually.TrueAsync(() => AgentProcesses.Of(id).Count == 0, Deadline, "the agent process is gone");
    }

    private static async Task<double> MeasureTurnAsync(HttpClient node, SseStream stream, StackExchange.Redis.IServer redis, string id, int turn, int lines)
    {
        var before = await NetInputBytesAsync(redis);
        var sent = await node.PostAsJsonAsync($"/sessions/{id}/messages", new { content = $"seq 1 {lines}" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await stream.WaitForAsync(e => e.IsTurnCompleted(turn), Deadline, $"turn {turn} completes");
        var events = stream.Received.Count(e => e.Turn == turn && e.Type == "agent.output");
        Assert.Equal(lines, events);
        return (await NetInputBytesAsync(redis) - before) / (double)events;
    }

    private static async Task<long> NetInputBytesAsync(StackExchange.Redis.IServer redis)
    {
        var stats = (await redis.InfoAsync("stats")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        return long.Parse(stats["total_net_input_bytes"]);
    }
}

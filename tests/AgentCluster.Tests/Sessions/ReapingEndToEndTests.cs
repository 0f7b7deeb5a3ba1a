using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// Reaping for real: a node process on Redis with its reaper running on its own timer, a real agent process
/// frozen with SIGSTOP (alive, silent), on a short TTL.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class ReapingEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_frozen_agent_is_reaped_after_its_heartbeat_ttl_not_before_and_the_stream_is_told_first()
    {
        await using var cluster = await NodeCluster.StartAsync(1, environment: new Dictionary<string, string>
        {
            ["Sessions__HeartbeatInterval"] = Interval.ToString(),
            ["Sessions__HeartbeatTtl"] = Ttl.ToString(),
            ["Reaper__SweepInterval"] = Interval.ToString(),
        });
        var node = cluster.Nodes[0];

        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo ready" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = session["session_id"]!.GetValue<string>();
        await using var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events");
        await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn completes");

        // Quiet but heartbeating, it lives on past its TTL.
        var lively = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => Task.FromResult(lively.Elapsed > 2 * Ttl), Deadline, "two TTLs pass");
        Assert.Equal("idle", (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!["status"]!.GetValue<string>());

        var agent = Assert.Single(AgentProcesses.Of(id));
        Assert.True(Signals.Freeze(agent));
        var frozen = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () =>
            (await cluster.LiveMachinesAsync(id)).Count == 0,
            Deadline, "the frozen agent's machine is destroyed");
        var reaped = frozen.Elapsed;
        output.WriteLine($"agent frozen → machine destroyed: {reaped.TotalSeconds:0.0} s (TTL {Ttl.TotalSeconds} s, heartbeat every {Interval.TotalSeconds} s, sweep every {Interval.TotalSeconds} s)");
        Assert.True(reaped >= Ttl - Interval, $"reaped {reaped.TotalSeconds:0.0} s after the freeze: before its TTL ran out");

        await stream.ReadToEndAsync(Deadline);
        var tail = stream.Received.TakeLast(2).ToList();
        Assert.Equal([EventTypes.SessionWarning, EventTypes.SessionStatus], tail.Select(e => e.Type));
        Assert.Equal(WarningKinds.ReapPending, tail[0].Payload["kind"]!.GetValue<string>());
        Assert.Equal(TerminationReason.Expired.Name(), tail[1].Payload["reason"]!.GetValue<string>());
        await Eventually.TrueAsync(() => AgentProcesses.Of(id).Count == 0, Deadline, "the agent process is gone with its machine");
    }
}

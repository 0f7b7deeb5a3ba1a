using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Machines;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Faults;

/// <summary>
/// Everything at once, bounded and on loopback: three nodes on Redis (append-only), sessions with live agents
/// and resuming SSE readers, a node killed mid-stream, Redis restarted, Fly answering with 5xx, 429 and
/// latency all along, some agents frozen, the rest deleted. Nothing acknowledged may be lost or repeated,
/// no session may get a second machine, and no machine may be left.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Sessions = 16;
    private const int Frozen = 4;
    private const int Lines = 40;
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Nothing_is_lost_duplicated_or_leaked_through_a_node_kill_a_redis_restart_and_fly_faults()
    {
        var took = Stopwatch.StartNew();
        await using var cluster = await NodeCluster.StartAsync(3, appendOnlyRedis: true, new Dictionary<string, string>
        {
            ["Sessions__HeartbeatInterval"] = "00:00:01",
            ["Sessions__HeartbeatTtl"] = Ttl.ToString(),
            ["Reaper__SweepInterval"] = "00:00:01",
            ["Reaper__ReconcileInterval"] = "00:00:05",
            ["Reaper__DestroyRetry"] = "00:00:02",
        }, o => o.DestroyedRetention = TimeSpan.FromHours(1));
        var nodes = cluster.Nodes;
        await cluster.Emulator.SetFaultsAsync(
            new FaultRule { Action = "machine.create", ServerErrorRate = 0.2, MaxErrors = 4 },
            new FaultRule { Action = "machine.destroy", ServerErrorRate = 0.3, MaxErrors = 8 },
            new FaultRule { Action = "*", RateLimitRate = 0.05, MaxErrors = 12, Latency = TimeSpan.FromMilliseconds(20) });

        // Sessions through every node; a 503 (Fly trouble) is retried with the same id, as a client should.
        var ids = Enumerable.Range(0, Sessions).Select(i => $"chaos-{i}-{Guid.NewGuid():N}"[..24]).ToList();
        var retries = 0;
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            retries += await RetriesAsync(() => nodes[i % 3].Http.PostAsJsonAsync("/sessions", new { prompt = NumberedLines.Prompt(Lines, 0.1), session_id = id }), $"create {id}");

        var readers = ids.Select((id, i) => new ResumingEventReader(id, Enumerable.Range(0, 3).Select(n => nodes[(i + n) % 3].Http).ToList())).ToList();
        var reading = readers.Select(r => r.ReadUntilAsync(IsTerminated, 3 * Deadline)).ToList();

        await Eventually.TrueAsync(() => readers.All(r => r.Events.Count(e => e.Type == "agent.output") >= 5), Deadline, "every session streams");
        await nodes[0].KillAsync();
        var killedAt = readers.Select(r => r.LastId).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(readers.Select((r, i) => r.LastId > killedAt[i] || r.Events.Any(e => e.IsTurnCompleted(1))).All(x => x)),
            Deadline, () => "every stream goes on after the node died; stuck: " + Describe(readers.Where((r, i) => r.LastId <= killedAt[i] && !r.Events.Any(e => e.IsTurnCompleted(1)))));
        await cluster.Redis.KillAsync();
        await cluster.Redis.StartAgainAsync();
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(readers.All(r => r.Events.Any(e => e.IsTurnCompleted(1)))),
                Deadline, () => "every first turn completes; not: " + Describe(readers.Where(r => !r.Events.Any(e => e.IsTurnCompleted(1)))));
        }
        catch (TimeoutException)
        {
            // What the nodes and the agent said about each stuck session: the failure's story, for whoever reads it.
            foreach (var stuck in readers.Where(r => !r.Events.Any(e => e.IsTurnCompleted(1))))
                output.WriteLine($"{stuck.SessionId}, its last events: {string.Join(", ", stuck.Events.TakeLast(3).Select(e => e.Json()))}\n" +
                    string.Join("\n", nodes.SelectMany(n => n.Log.Split('\n')).Where(l => l.Contains(stuck.SessionId)).TakeLast(40)) +
                    $"\nits agent: {await cluster.AgentLogAsync(stuck.SessionId).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(none)")}");
            throw;
        }

        // Some agents die (frozen: alive to the OS, silent to us); the rest of the sessions are deleted.
        var live = nodes.Skip(1).ToList();
        var frozenAt = Stopwatch.StartNew();
        foreach (var id in ids.Take(Frozen)) Assert.True(Signals.Freeze(Assert.Single(AgentProcesses.Of(id))));
        try
        {
            foreach (var (id, i) in ids.Skip(Frozen).Select((id, i) => (id, i)))
                retries += await RetriesAsync(() => live[i % 2].Http.DeleteAsync($"/sessions/{id}"), $"delete {id}");
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            // A refusal that was no 503: what the nodes logged as failures, for whoever reads it.
            output.WriteLine(string.Join("\n", live.SelectMany(n => n.Log.Split('\n')).Where(l => l.Contains("fail:") || l.Contains("Exception")).TakeLast(60)));
            throw;
        }
        var reaped = new List<TimeSpan>();
        foreach (var id in ids.Take(Frozen))
        {
            await Eventually.TrueAsync(async () => (await cluster.LiveMachinesAsync(id)).Count == 0, Deadline, $"frozen session {id} is reaped");
            reaped.Add(frozenAt.Elapsed);
        }
        await Task.WhenAll(reading).WaitAsync(Deadline);

        var injected = await cluster.Emulator.InjectedFaultsAsync();
        await cluster.Emulator.SetFaultsAsync();
        await Eventually.TrueAsync(async () => (await cluster.Machines.ListMachinesAsync(NodeCluster.App)).All(m => !MachineStates.IsActive(m.State)),
            Deadline, "no machine is left");

        // Every reader saw every event of its session once, in order, with all of the turn's lines.
        foreach (var reader in readers) NumberedLines.AssertSeenExactlyOnce(reader.Events, turn: 1, Lines);
        var everMade = (await cluster.Machines.ListMachinesAsync(NodeCluster.App, includeDeleted: true))
            .GroupBy(m => m.Config?.Metadata?.GetValueOrDefault(SessionMachines.SessionMetadataKey) ?? "").ToDictionary(g => g.Key, g => g.Count());
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            Assert.Equal(1, everMade.GetValueOrDefault(id));
            var view = (await live[i % 2].Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
            Assert.Equal("terminated", view["status"]!.GetValue<string>());
            Assert.Equal(i < Frozen ? TerminationReason.Expired.Name() : TerminationReason.Deleted.Name(), view["reason"]!.GetValue<string>());
        }

        output.WriteLine($"chaos: {Sessions} sessions on 3 nodes, {readers.Sum(r => r.Events.Count)} events delivered to {readers.Count} readers, " +
            $"1 node killed (SIGKILL), 1 Redis restart, Fly faults injected: {string.Join(", ", injected.Select(f => $"{f.Action} {f.Injected}"))}; " +
            $"client retries after 503: {retries}; reader reconnections: {readers.Sum(r => r.Interruptions.Count)}; " +
            $"lost or repeated events: 0; duplicate machines: 0; machines left: 0");
        output.WriteLine($"agent frozen → machine destroyed (TTL {Ttl.TotalSeconds} s, sweep 1 s): {string.Join(", ", reaped.Select(t => $"{t.TotalSeconds:0.0} s"))}; " +
            $"whole run {took.Elapsed.TotalSeconds:0} s");
    }

    private static string Describe(IEnumerable<ResumingEventReader> readers) =>
        string.Join(" | ", readers.Select(r => $"{r.SessionId} at {r.LastId}: {string.Join("; ", r.Interruptions.TakeLast(3))}"));

    /// <summary>Sends until a node accepts; a 503 (Fly trouble) is retried with the same request, as a client should.</summary>
    private static async Task<int> RetriesAsync(Func<Task<HttpResponseMessage>> send, string what)
    {
        var (response, retries) = await Accepted.UntilAcceptedAsync(send, Deadline, what);
        response.Dispose();
        return retries;
    }

    private static bool IsTerminated(SseEvent e) => e.Type == EventTypes.SessionStatus && e.Payload["status"]?.GetValue<string>() == SessionStatus.Terminated.Name();
}

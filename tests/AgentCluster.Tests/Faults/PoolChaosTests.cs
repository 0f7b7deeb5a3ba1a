using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Machines;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Faults;

/// <summary>
/// The pool through a node killed while sessions claim its machines, and a Redis restart: three nodes on Redis
/// (append-only), a pool of 6. No machine may serve two sessions, every session runs, and once the sessions are gone
/// every machine left is a ready pool machine the pool knows: none leaked.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class PoolChaosTests(ITestOutputHelper output)
{
    private const int PoolSize = 6;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task No_machine_is_claimed_twice_or_leaked_through_a_node_killed_while_claiming_and_a_redis_restart()
    {
        await using var cluster = await NodeCluster.StartAsync(3, appendOnlyRedis: true, new Dictionary<string, string>
        {
            ["Pool__Size"] = PoolSize.ToString(),
            ["Pool__KeepInterval"] = "00:00:01",
            ["Reaper__SweepInterval"] = "00:00:01",
            ["Reaper__ReconcileInterval"] = "00:00:03",
            ["Reaper__OrphanGrace"] = "00:00:05",
            ["Reaper__DestroyRetry"] = "00:00:02",
        }, o => o.DestroyedRetention = TimeSpan.FromHours(1));
        var nodes = cluster.Nodes;
        var live = nodes.Skip(1).ToList();
        await FullPoolAsync(live[0]);

        // Claims through every node, and the first node killed while they are under way.
        var ids = Enumerable.Range(0, PoolSize).Select(i => $"pool-chaos-{i}-{Guid.NewGuid():N}"[..28]).ToList();
        var posts = ids.Select((id, i) => Task.Run(() => CreateAsync(id, [nodes[i % 3], .. live]))).ToList();
        await nodes[0].KillAsync();
        var views = await Task.WhenAll(posts);
        await cluster.Redis.KillAsync();
        await cluster.Redis.StartAgainAsync();

        foreach (var id in ids)
        {
            await using var stream = await SseStream.OpenSessionAsync(live[0].Http, id);
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, $"session {id} runs");
        }
        var machines = new List<string>();
        foreach (var id in ids)
            machines.Add((await live[1].Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!["machine_id"]!.GetValue<string>());
        Assert.Equal(ids.Count, machines.Distinct().Count()); // no machine serves two sessions
        var everTagged = (await cluster.Machines.ListMachinesAsync(NodeCluster.App, includeDeleted: true))
            .GroupBy(m => m.Config?.Metadata?.GetValueOrDefault(SessionMachines.SessionMetadataKey) ?? "").ToDictionary(g => g.Key, g => g.Count());
        Assert.All(ids, id => Assert.Equal(1, everTagged.GetValueOrDefault(id))); // nor any session two machines

        foreach (var id in ids) Assert.Equal(HttpStatusCode.OK, (await live[0].Http.DeleteAsync($"/sessions/{id}")).StatusCode);
        foreach (var machine in machines) await cluster.Emulator.WaitDestroyedAsync(machine, Deadline);

        // What is left is the pool, whole, and only what the pool knows of.
        await FullPoolAsync(live[1]);
        await Eventually.TrueAsync(async () =>
        {
            var active = (await cluster.Machines.ListMachinesAsync(NodeCluster.App)).Where(m => MachineStates.IsActive(m.State)).ToList();
            return active.Count == PoolSize && active.All(m => m.Config?.Metadata?.ContainsKey(SessionMachines.PoolMetadataKey) == true
                && m.Config.Metadata.ContainsKey(SessionMachines.SessionMetadataKey) == false);
        }, Deadline, "every machine left is one of the pool's ready machines");
        output.WriteLine($"pool chaos: {ids.Count} claims through 3 nodes, 1 killed while claiming, 1 Redis restart; " +
            $"sessions on their own machines: {machines.Distinct().Count()}; machines left: {PoolSize} ready in the pool");
    }

    /// <summary>Posts the session until a node accepts it (201 or 200), the same id each time, as a client would.</summary>
    private static async Task<JsonObject> CreateAsync(string id, IReadOnlyList<NodeHost> nodes)
    {
        JsonObject? view = null;
        var attempt = 0;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var answer = await nodes[attempt++ % nodes.Count].Http.PostAsJsonAsync("/sessions", new { prompt = "echo pooled", runtime = "shell", session_id = id });
                if (answer.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK)) return false;
                view = await answer.Content.ReadFromJsonAsync<JsonObject>();
                return true;
            }
            catch (HttpRequestException)
            {
                return false; // the node died under it: the next one
            }
        }, Deadline, $"session {id} is accepted");
        return view!;
    }

    private static async Task FullPoolAsync(NodeHost node)
    {
        JsonObject? pool = null;
        await Eventually.TrueAsync(async () =>
        {
            var answer = await node.Http.GetAsync("/pool");
            if (!answer.IsSuccessStatusCode) return false; // the pool's node just died, or Redis is back a moment
            pool = (await answer.Content.ReadFromJsonAsync<JsonObject>())!["shapes"]!.AsArray().Single()!.AsObject();
            return pool["ready"]!.GetValue<int>() == PoolSize && pool["starting"]!.GetValue<int>() == 0;
        }, Deadline, () => $"the pool is full; GET /pool: {pool?.ToJsonString()}");
    }
}

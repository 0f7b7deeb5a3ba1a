using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Machines;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Pool;

/// <summary>
/// The pool of ready machines as a user and an operator meet it: a node (its own process) on the emulator (its own
/// process, so that the test sees the machines), a pool of 2 of the default shape. A session starts on a machine
/// made before it asked, suspended until then; the pool makes another; reconciliation keeps the pool's machines and
/// destroys one nobody knows.
/// </summary>
public sealed class MachinePoolTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private EmulatorHost emulator = null!;
    private NodeHost node = null!;

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(processes: true, new Dictionary<string, string> { ["FlyEmulator:RateLimits"] = "true" });
        node = await NodeHost.StartAsync(new Dictionary<string, string>(emulator.NodeEnvironment)
        {
            ["Pool__Size"] = "2",
            ["Pool__KeepInterval"] = "00:00:01",
            ["Reaper__SweepInterval"] = "00:00:01",
            ["Reaper__ReconcileInterval"] = "00:00:02",
            ["Reaper__OrphanGrace"] = "00:00:03",
        });
    }

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task A_session_starts_on_a_ready_suspended_machine_its_agent_runs_the_prompt_and_the_pool_refills()
    {
        var pool = await FullPoolAsync();
        // Booted, then snapshotted until claimed: the pool suspends a machine once its agent has called in (ready), not
        // before it counts it, so the snapshot may come a moment after the pool is full.
        var ready = new List<Machine>();
        await Eventually.TrueAsync(async () =>
        {
            ready = await PoolMachinesAsync();
            return ready.Count == 2 && ready.All(m => m.State == MachineStates.Suspended);
        }, Deadline, () => $"both pool machines suspended: {string.Join(", ", ready.Select(m => $"{m.Id} {m.State}"))}\n{node.Log}");
        Assert.All(ready, m => Assert.DoesNotContain(m.Config!.Env!.Keys, k => k is "AGENTCLUSTER_SESSION_TOKEN" or "AGENTCLUSTER_SESSION_ID"));

        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo pooled-hi", runtime = "shell", metadata = new { team = "platform" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = view["session_id"]!.GetValue<string>();
        var machineId = view["machine_id"]?.GetValue<string>();
        Assert.Contains(machineId, ready.Select(m => m.Id)); // one of the machines made before it asked

        await using (var stream = await SseStream.OpenSessionAsync(node.Http, id))
        {
            try
            {
                await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the pooled agent runs the session's prompt");
            }
            catch
            {
                output.WriteLine(string.Join("\n", stream.Received.Select(e => e.Json())) + "\n" + node.Log);
                throw;
            }
            Assert.Contains(stream.Received, e => e.Type == EventTypes.AgentOutput && e.Text().Contains("pooled-hi"));
        }
        // Its agent's control server (started before the machine was suspended) serves the session that claimed it.
        var exec = await node.Http.PostAsJsonAsync($"/sessions/{id}/exec", new { command = "echo reached" });
        var result = (await exec.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(exec.StatusCode == HttpStatusCode.OK, result.ToJsonString());
        Assert.Equal(("reached\n", "agent"), (result["stdout"]!.GetValue<string>(), result["via"]!.GetValue<string>()));

        var machine = await emulator.Machines.GetMachineAsync(EmulatorHost.App, machineId!);
        Assert.Equal(id, machine.Config!.Metadata![SessionMachines.SessionMetadataKey]); // reconciliation knows it as the session's
        Assert.Equal("platform", machine.Config.Metadata["team"]);
        Assert.Equal(pool["name"]!.GetValue<string>(), machine.Config.Metadata[SessionMachines.PoolMetadataKey]);

        // The claimed machine is replaced; the session's is the session's to the end.
        var refilled = await FullPoolAsync();
        Assert.Equal(1, refilled["claimed_total"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
        await emulator.WaitDestroyedAsync(machineId!, Deadline);
        Assert.Equal(2, (await PoolMachinesAsync()).Count);
    }

    [Fact]
    public async Task A_session_a_pool_machine_cannot_serve_gets_a_machine_of_its_own_and_a_stray_pool_machine_is_destroyed()
    {
        await FullPoolAsync();
        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo own", runtime = "shell", env = new Dictionary<string, string> { ["SETTING"] = "x" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        // Its create may wait its turn behind the pool's own (the budget is the app's): it comes.
        await Eventually.TrueAsync(async () => (await emulator.LiveMachinesAsync(id)).Count == 1, Deadline, () => $"session {id} gets its own machine");
        var own = await emulator.SessionMachineAsync(id);
        Assert.Equal(SessionMachines.NameFor(id), own.Name); // its env goes into its machine's config, so it is made for it
        Assert.Equal("x", own.Config!.Env!["SETTING"]);

        // A machine tagged with the pool that the pool never made (a create of a pool that lost its state): an orphan.
        var poolName = (await FullPoolAsync())["name"]!.GetValue<string>();
        var stray = await emulator.Machines.CreateMachineAsync(EmulatorHost.App, new CreateMachineRequest
        {
            Config = new MachineConfig { Image = "test/idle:latest", Init = new MachineInit { Exec = ["sleep", "600"] }, Metadata = new() { [SessionMachines.PoolMetadataKey] = poolName } },
        });
        await emulator.WaitDestroyedAsync(stray.Id, Deadline);
        Assert.Equal(2, (await PoolMachinesAsync()).Count); // the pool's own are kept
    }

    /// <summary>The default shape's pool once it holds its 2 ready machines.</summary>
    private async Task<JsonObject> FullPoolAsync()
    {
        JsonObject? pool = null;
        await Eventually.TrueAsync(async () =>
        {
            pool = (await node.Http.GetFromJsonAsync<JsonObject>("/pool"))!["shapes"]!.AsArray().Single()!.AsObject();
            return pool["ready"]!.GetValue<int>() == 2 && pool["starting"]!.GetValue<int>() == 0;
        }, Deadline, () => $"the pool is full; GET /pool: {pool?.ToJsonString()}\n{node.Log}");
        return pool!;
    }

    /// <summary>The pool's unclaimed machines (tagged with the pool, no session).</summary>
    private async Task<List<Machine>> PoolMachinesAsync() =>
        (await emulator.Machines.ListMachinesAsync(EmulatorHost.App))
            .Where(m => MachineStates.IsActive(m.State) && m.Config?.Metadata?.ContainsKey(SessionMachines.PoolMetadataKey) == true
                && !m.Config.Metadata.ContainsKey(SessionMachines.SessionMetadataKey))
            .ToList();
}

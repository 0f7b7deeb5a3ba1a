using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Machines;

namespace AgentCluster.Tests.Pool;

/// <summary>
/// Several agents' apps (<c>FLY_AGENT_APPS</c>): creates go round the apps, each with its own create budget; each
/// session keeps its machine's app to the end; reconciliation walks every app.
/// </summary>
public sealed class AgentAppsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly string[] Apps = ["agents-a", "agents-b"];
    private EmulatorHost emulator = null!;
    private NodeHost node = null!;

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(processes: true, new Dictionary<string, string> { ["FlyEmulator:RateLimits"] = "true" });
        foreach (var app in Apps) await emulator.Apps.CreateAppAsync(new CreateAppRequest { Name = app, OrgSlug = "personal" });
        var env = new Dictionary<string, string>(emulator.NodeEnvironment)
        {
            ["FLY_AGENT_APPS"] = string.Join(',', Apps),
            ["Reaper__SweepInterval"] = "00:00:01",
            ["Reaper__ReconcileInterval"] = "00:00:02",
            ["Reaper__OrphanGrace"] = "00:00:03",
        };
        env.Remove("FLY_APP_NAME");
        node = await NodeHost.StartAsync(env);
    }

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task Sessions_are_spread_over_the_apps_run_and_end_in_their_own_and_a_stray_in_any_app_is_reconciled()
    {
        // Two apps, two budgets: a burst of 4 gets 4 machines at once.
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo spread", runtime = "shell" })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var ids = new List<string>();
        foreach (var answer in answers) ids.Add((await answer.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>());

        var perApp = new Dictionary<string, int>();
        foreach (var id in ids)
        {
            await using var stream = await SseStream.OpenSessionAsync(node.Http, id);
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, $"session {id} runs in its app");
            var app = Apps.Single(a => emulator.Machines.ListMachinesByMetadataAsync(a, SessionMachines.SessionMetadataKey, id).Result.Any(m => MachineStates.IsActive(m.State)));
            perApp[app] = perApp.GetValueOrDefault(app) + 1;
        }
        Assert.Equal([2, 2], Apps.Select(a => perApp.GetValueOrDefault(a)));

        foreach (var id in ids) Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
        await Eventually.TrueAsync(async () => await ActiveAsync() == 0, Deadline, "every session's machine is destroyed in its own app");

        // A machine tagged with a session nobody has, in the second app: reconciliation looks there too.
        var stray = await emulator.Machines.CreateMachineAsync(Apps[1], new CreateMachineRequest
        {
            Config = new MachineConfig { Image = "test/idle:latest", Init = new MachineInit { Exec = ["sleep", "600"] }, Metadata = new() { [SessionMachines.SessionMetadataKey] = "ghost-session" } },
        });
        await Eventually.TrueAsync(async () => !MachineStates.IsActive((await emulator.Machines.GetMachineAsync(Apps[1], stray.Id)).State),
            Deadline, "the stray machine in the second app is destroyed");
    }

    private async Task<int> ActiveAsync()
    {
        var active = 0;
        foreach (var app in Apps) active += (await emulator.Machines.ListMachinesAsync(app)).Count(m => MachineStates.IsActive(m.State));
        return active;
    }
}

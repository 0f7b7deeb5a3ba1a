using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Machines;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Pool;

/// <summary>
/// Sessions past Fly's create budget (1 a second per app, bursts of 3), as a user meets them: a node whose Fly is the
/// emulator with its rate limits on (its own process), clients posting at the same moment. Nobody gets a 503 for a
/// burst: each is answered at once, waits its turn for its machine, and runs.
/// </summary>
public sealed class CreateQueueTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private EmulatorHost emulator = null!;
    private NodeHost node = null!;

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(processes: true, new Dictionary<string, string>
        {
            ["FlyEmulator:RateLimits"] = "true",
            ["FlyEmulator:BootDelay"] = "00:00:00.300",
        });
        node = await NodeHost.StartAsync(new Dictionary<string, string>(emulator.NodeEnvironment) { ["Pool__Size"] = "0" });
    }

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task A_burst_past_the_create_budget_is_answered_201_at_once_and_every_session_runs()
    {
        const int clients = 10;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posts = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo hi", runtime = "shell" });
        })).ToList();
        go.SetResult();
        var answers = await Task.WhenAll(posts);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var views = await Task.WhenAll(answers.Select(async a => (await a.Content.ReadFromJsonAsync<JsonObject>())!));
        var ids = views.Select(v => v["session_id"]!.GetValue<string>()).ToList();
        Assert.All(views, v => Assert.Equal("starting", v["status"]!.GetValue<string>()));
        // The budget lets a burst go at once (within one second, and one more a second); the rest were answered before their machine existed.
        var waited = views.Where(v => v["machine_id"] is null).Select(v => v["session_id"]!.GetValue<string>()).ToList();
        Assert.True(waited.Count >= clients - 4, $"{waited.Count} of {clients} sessions waited for the create budget");

        foreach (var id in ids)
        {
            await using var stream = await SseStream.OpenSessionAsync(node.Http, id);
            try
            {
                await stream.WaitForAsync(e => e.Type == EventTypes.AgentOutput && e.Text().Contains("hi"), Deadline, $"session {id} runs its prompt");
            }
            catch
            {
                output.WriteLine(string.Join("\n", stream.Received.Select(e => e.Json())) + "\n" + node.Log);
                throw;
            }
            if (waited.Contains(id))
                Assert.Contains(stream.Received, e => e.Type == EventTypes.SessionStatus && e.Payload["queue_position"] is not null);
        }
    }

    [Fact]
    public async Task Waiting_sessions_get_their_machines_in_arrival_order_one_posted_again_is_the_same_and_one_deleted_never_gets_one()
    {
        var ids = Enumerable.Range(0, 8).Select(i => $"queued-{i}-{Guid.NewGuid():N}"[..24]).ToList();
        var answers = new List<HttpResponseMessage>();
        foreach (var id in ids) answers.Add(await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo hi", runtime = "shell", session_id = id }));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        // The budget has room for a burst (and one more a second): the last to arrive waits.
        var views = await Task.WhenAll(answers.Select(async a => (await a.Content.ReadFromJsonAsync<JsonObject>())!));
        var last = views.Where(v => v["machine_id"] is null).MaxBy(v => DateTimeOffset.Parse(v["created_at"]!.GetValue<string>()))?["session_id"]!.GetValue<string>();
        Assert.NotNull(last);

        var again = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo hi", runtime = "shell", session_id = last });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var deleted = await node.Http.DeleteAsync($"/sessions/{last}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("deleted", (await deleted.Content.ReadFromJsonAsync<JsonObject>())!["reason"]!.GetValue<string>());

        // Every other session gets its machine; the deleted one never does, then or later.
        foreach (var id in ids.Where(id => id != last))
            await Eventually.TrueAsync(async () => (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!["machine_id"] is not null,
                Deadline, () => $"session {id} gets its machine");
        await Eventually.TrueAsync(async () => (await emulator.Machines.ListMachinesAsync(EmulatorHost.App)).Count(m => MachineStates.IsActive(m.State)) >= ids.Count - 1,
            Deadline, () => "the other machines are made");
        var tagged = await emulator.Machines.ListMachinesByMetadataAsync(EmulatorHost.App, SessionMachines.SessionMetadataKey, last);
        Assert.Empty(tagged);

        // Made in the order the sessions arrived in, one create a second once the burst of 3 was spent.
        var made = new List<long>();
        foreach (var id in ids.Where(id => id != last))
        {
            var machine = (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!["machine_id"]!.GetValue<string>();
            made.Add((await emulator.Machines.ListMachineEventsAsync(EmulatorHost.App, machine)).Min(e => e.Timestamp));
        }
        if (!made.SequenceEqual(made.Order())) output.WriteLine(node.Log);
        Assert.True(made.SequenceEqual(made.Order()), "machines made at (ms): " + string.Join(", ", made.Select(m => m % 100_000)));
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// One-shot tasks and the turn time limit over real processes: a node on its embedded default, the shell runtime
/// in real agent processes, a client that polls <c>GET /sessions/{id}</c> or follows the stream.
/// </summary>
public sealed class TaskEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_task_ends_completed_with_its_machine_destroyed_within_seconds_and_a_client_that_polls_reads_its_output_in_the_result()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo computing; echo answer=42 >&2", mode = "task" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var (id, machineId) = (session["session_id"]!.GetValue<string>(), session["machine_id"]!.GetValue<string>());
        Assert.Equal("task", session["mode"]!.GetValue<string>());

        JsonObject view = session;
        var polled = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () =>
        {
            view = (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
            return view["status"]!.GetValue<string>() == "terminated";
        }, Deadline, () => $"the task ends; last seen {view.ToJsonString()}");
        Assert.Equal("completed", view["reason"]!.GetValue<string>());
        var result = view["result"]!.AsObject();
        Assert.Equal((1, "success", 0), (result["turn"]!.GetValue<int>(), result["outcome"]!.GetValue<string>(), result["exit_code"]!.GetValue<int>()));
        // stdout and stderr are two pipes: each keeps its order, not with respect to the other.
        Assert.Equal(["answer=42", "computing"], result["text"]!.GetValue<string>().Split('\n').Order());
        var finishedAt = result["finished_at"]!.GetValue<DateTimeOffset>();

        using var fly = EmbeddedEmulator.Client(node);
        var machines = fly.GetRequiredService<IFlyMachinesApi>();
        Machine? machine = null;
        await Eventually.TrueAsync(async () =>
        {
            machine = await machines.GetMachineAsync("agentcluster-agents", machineId); // EmbeddedFly.DefaultApp
            return machine.State == MachineStates.Destroyed;
        }, Deadline, () => $"the emulator lists the task's machine as destroyed; it is {machine?.State}");
        var destroyedAt = machine!.Events!.Where(e => e.Type == "destroy" && e.Status == MachineStates.Destroyed).Max(e => DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp));
        output.WriteLine($"turn finished {finishedAt:O}, machine destroyed {destroyedAt:O}: {(destroyedAt - finishedAt).TotalSeconds:0.00} s; task ended {polled.Elapsed.TotalSeconds:0.0} s after the create answered");
        Assert.True(destroyedAt - finishedAt < TimeSpan.FromSeconds(5), $"destroyed {(destroyedAt - finishedAt).TotalSeconds:0.0} s after its turn");
        await Eventually.TrueAsync(() => AgentProcesses.Of(id).Count == 0, Deadline, "no agent process is left");
        Assert.Equal(HttpStatusCode.Conflict, (await node.Http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "more" })).StatusCode);
    }

    [Fact]
    public async Task A_turn_that_runs_past_max_turn_seconds_is_interrupted_and_ends_timeout()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo started; sleep 600; echo never", max_turn_seconds = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        await using var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events");
        var started = await stream.WaitForAsync(e => e.Type == "agent.output" && e.Text() == "started", Deadline, "the command runs");
        var end = await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the turn ends at its limit");
        Assert.Equal("timeout", end.Payload["outcome"]!.GetValue<string>());
        Assert.Contains("max_turn_seconds", end.Payload["reason"]!.GetValue<string>());
        var warning = Assert.Single(stream.Received, e => e.Type == "session.warning");
        Assert.Equal("turn_timeout", warning.Payload["kind"]!.GetValue<string>());
        var ran = end.Data["at"]!.GetValue<DateTimeOffset>() - started.Data["at"]!.GetValue<DateTimeOffset>();
        output.WriteLine($"turn ran {ran.TotalSeconds:0.0} s under max_turn_seconds 2 (Reaper__SweepInterval 5 s)");
        Assert.InRange(ran, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(stream.Received, e => e.Type == "agent.output" && e.Text() == "never");

        var view = (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        Assert.Equal(("idle", "timeout", 2), (view["status"]!.GetValue<string>(), view["result"]!["outcome"]!.GetValue<string>(), view["max_turn_seconds"]!.GetValue<int>()));
        Assert.Equal("started", view["result"]!["text"]!.GetValue<string>());
        await Problems.AssertAsync(await node.Http.PostAsJsonAsync("/sessions", new { prompt = "x", max_turn_seconds = 0 }), HttpStatusCode.BadRequest, "max_turn_seconds");
        await Problems.AssertAsync(await node.Http.PostAsJsonAsync("/sessions", new { prompt = "x", mode = "oneshot" }), HttpStatusCode.BadRequest, "mode");
        await node.Http.DeleteAsync($"/sessions/{id}");
    }
}

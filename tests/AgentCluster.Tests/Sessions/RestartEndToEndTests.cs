using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentCluster.Fly.Models;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Runtimes;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// Restart over real processes (<c>POST /sessions/{id}/restart</c>): a node on its embedded emulator, real agents. The
/// machine is destroyed and a new one made for the same session: the running turn ends interrupted, the queued one
/// runs on the new machine with the session's env, a named workspace keeps its files, and the model of the next
/// turn sees the earlier turns, with or without a named workspace.
/// </summary>
public sealed class RestartEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_restart_replaces_the_machine_ends_the_running_turn_and_runs_the_queued_one_on_the_new_machine_with_the_workspace()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var workspace = "restart_" + Guid.NewGuid().ToString("N")[..8];
        var created = await node.Http.PostAsJsonAsync("/sessions", new
        {
            prompt = "echo kept > note.txt",
            workspace = new { name = workspace },
            env = new Dictionary<string, string> { ["RESTART_PROOF"] = "yes" },
        });
        var session = await Json(created, HttpStatusCode.Created);
        var (id, oldMachine) = (session["session_id"]!.GetValue<string>(), session["machine_id"]!.GetValue<string>());
        await using var stream = await SseStream.OpenSessionAsync(node.Http, id);
        await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "turn 1 writes the file");

        // Turn 2 runs (it said so), turn 3 waits behind it.
        await SendAsync(node, id, "echo started; sleep 120");
        await SendAsync(node, id, "cat note.txt; echo env=$RESTART_PROOF");
        await stream.WaitForAsync(e => e.Turn == 2 && e.Type == "agent.output", Deadline, "turn 2 runs");
        var oldAgents = AgentProcesses.Of(id);

        var restarted = await node.Http.PostAsync($"/sessions/{id}/restart", null);
        var view = await Json(restarted, HttpStatusCode.Accepted);
        Assert.Equal((id, "starting"), (view["session_id"]!.GetValue<string>(), view["status"]!.GetValue<string>()));

        var ended = await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "turn 2 ends with the old machine");
        Assert.Equal(("interrupted", "restarted"), (ended.Payload["outcome"]!.GetValue<string>(), ended.Payload["reason"]!.GetValue<string>()));
        var starting = await stream.WaitForAsync(e => IsStatus(e, "starting") && e.Id > ended.Id, Deadline, "the session starts again");
        Assert.Equal("restarted", starting.Payload["reason"]!.GetValue<string>());
        var third = await stream.WaitForAsync(e => e.IsTurnCompleted(3), Deadline, "the queued turn runs on the new machine");
        Assert.Equal("success", third.Payload["outcome"]!.GetValue<string>());
        Assert.Equal(["kept", "env=yes"], stream.Received.Where(e => e.Turn == 3 && e.Type == "agent.output").Select(e => e.Text()));
        var idle = await stream.WaitForAsync(e => IsStatus(e, "idle") && e.Id > third.Id, Deadline, "then it is idle");
        // Between the restart and the end of turn 3: starting, then running (the new agent took the queued turn), in that order.
        Assert.Equal(["starting", "running", "idle"],
            stream.Received.Where(e => e.Type == "session.status" && e.Id >= starting.Id && e.Id <= idle.Id).Select(e => e.Payload["status"]!.GetValue<string>()));

        // Same session on a new machine; the old one destroyed, its agent gone.
        var after = (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;
        var newMachine = after["machine_id"]!.GetValue<string>();
        Assert.NotEqual(oldMachine, newMachine);
        Assert.Equal(workspace, after["workspace"]!.GetValue<string>());
        using (var fly = EmbeddedEmulator.Client(node))
        {
            Assert.Equal(MachineStates.Destroyed, (await fly.Machines().GetMachineAsync(EmbeddedEmulator.App, oldMachine)).State);
            Assert.Equal(MachineStates.Started, (await fly.Machines().GetMachineAsync(EmbeddedEmulator.App, newMachine)).State);
        }
        Assert.DoesNotContain(AgentProcesses.Of(id), oldAgents.Contains);
        Assert.Equal(Enumerable.Range(1, stream.Received.Count).Select(i => (long)i), stream.Received.Select(e => e.Id));

        // Over: nothing to restart. An unknown session is not found.
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
        await Problems.AssertAsync(await node.Http.PostAsync($"/sessions/{id}/restart", null), HttpStatusCode.Conflict, id);
        await Problems.AssertAsync(await node.Http.PostAsync("/sessions/no-such-session/restart", null), HttpStatusCode.NotFound, "no-such-session");
    }

    [Fact]
    public async Task A_sleeping_session_restarts_on_a_new_machine_and_runs_its_next_turn_there()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Sessions__IdleTimeout"] = "00:00:01",
            ["Reaper__SweepInterval"] = "00:00:01",
        });
        var session = await Json(await node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo one" }), HttpStatusCode.Created);
        var (id, oldMachine) = (session["session_id"]!.GetValue<string>(), session["machine_id"]!.GetValue<string>());
        await using var stream = await SseStream.OpenSessionAsync(node.Http, id);
        await stream.WaitForAsync(e => IsStatus(e, "sleeping"), Deadline, "idle past its timeout, the session sleeps");

        await Json(await node.Http.PostAsync($"/sessions/{id}/restart", null), HttpStatusCode.Accepted);
        var starting = await stream.WaitForAsync(e => IsStatus(e, "starting"), Deadline, "the session starts again");
        Assert.Equal("restarted", starting.Payload["reason"]!.GetValue<string>());
        await stream.WaitForAsync(e => IsStatus(e, "idle") && e.Id > starting.Id, Deadline, "the new machine's agent calls in");
        await SendAsync(node, id, "echo two");
        await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "the next turn runs on the new machine");

        var newMachine = (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!["machine_id"]!.GetValue<string>();
        Assert.NotEqual(oldMachine, newMachine);
        using var fly = EmbeddedEmulator.Client(node);
        Assert.Equal(MachineStates.Destroyed, (await fly.Machines().GetMachineAsync(EmbeddedEmulator.App, oldMachine)).State);
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("anthropic", false)]
    [InlineData("anthropic", true)]
    [InlineData("claude-code", false)]
    [InlineData("claude-code", true)]
    public async Task After_a_restart_the_models_next_request_holds_the_earlier_turns(string runtime, bool namedWorkspace)
    {
        await using var fake = await FakeAnthropic.StartAsync();
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = fake.ApiKey,
            ["ANTHROPIC_BASE_URL"] = fake.Url.ToString().TrimEnd('/'),
        });
        fake.Script(Reply.Text("Noted: the number is 42."), Reply.Text("You told me 42."));
        var created = await node.Http.PostAsJsonAsync("/sessions", new
        {
            prompt = "Remember the number 42.",
            runtime,
            model = "claude-test-model",
            workspace = namedWorkspace ? new { name = "conversation_" + Guid.NewGuid().ToString("N")[..8] } : null,
            env = new Dictionary<string, string> { ["CLAUDE_CODE_PATH"] = ClaudeCodeCli.Executable },
        });
        var id = (await Json(created, HttpStatusCode.Created))["session_id"]!.GetValue<string>();
        await using var stream = await SseStream.OpenSessionAsync(node.Http, id);
        Assert.Equal("success", (await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "turn 1 answers")).Payload["outcome"]!.GetValue<string>());

        await Json(await node.Http.PostAsync($"/sessions/{id}/restart", null), HttpStatusCode.Accepted);
        var starting = await stream.WaitForAsync(e => IsStatus(e, "starting") && e.Payload["reason"]?.GetValue<string>() == "restarted", Deadline, "restarted");
        await stream.WaitForAsync(e => IsStatus(e, "idle") && e.Id > starting.Id, Deadline, "the new machine's agent calls in");
        await SendAsync(node, id, "Which number did I tell you?");
        var second = await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "turn 2 answers");
        Assert.Equal("success", second.Payload["outcome"]!.GetValue<string>());

        // The new machine's model request carries turn 1, once: quoted when the old disk is gone, continued when it is kept.
        var request = fake.Conversation[^1].MessagesText;
        Assert.Contains("Which number did I tell you?", request);
        Assert.Contains("Noted: the number is 42.", request);
        Assert.Single(Regex.Matches(request, Regex.Escape("Remember the number 42.")));
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    private static bool IsStatus(SseEvent e, string status) => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == status;

    private static async Task SendAsync(NodeHost node, string id, string content) =>
        Assert.Equal(HttpStatusCode.Accepted, (await node.Http.PostAsJsonAsync($"/sessions/{id}/messages", new { content })).StatusCode);

    private static async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}

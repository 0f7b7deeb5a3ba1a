using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Runtimes;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// Whole sessions of a real coding agent (the Claude Code CLI, or the built-in Anthropic runtime) on a node on its
/// embedded default, the model played by a <see cref="FakeAnthropic"/>: the node's key stays in the node, whose model
/// gateway adds it to the agent's calls (see ModelGateway/ModelGatewayEndToEndTests); tool use changes the workspace; a follow-up turn carries the conversation; an
/// interrupt stops a turn mid-answer; the turn limit ends a turn as max_turns.
/// </summary>
public sealed class CodingAgentEndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("claude-code")]
    [InlineData("anthropic")]
    public async Task A_session_uses_tools_remembers_is_interrupted_and_stops_at_its_turn_limit(string runtime)
    {
        await using var fake = await FakeAnthropic.StartAsync();
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = fake.ApiKey,
            ["ANTHROPIC_BASE_URL"] = fake.Url.ToString().TrimEnd('/'),
        });
        var held = Reply.Held("Working on it");
        fake.Script(
            Reply.ToolUse("Bash", new { command = "echo hi > proof.txt" }), Reply.Text("Wrote proof.txt."),
            Reply.ToolUse("Bash", new { command = "cat proof.txt" }), Reply.Text("It says hi."),
            held,
            Reply.ToolUse("Bash", new { command = "echo one" }), Reply.ToolUse("Bash", new { command = "echo two" }));

        var created = await node.Http.PostAsJsonAsync("/sessions", new
        {
            prompt = "Write hi into proof.txt",
            runtime,
            model = "claude-test-model",
            allowed_tools = new[] { "Bash" },
            max_turns = 2,
            env = new Dictionary<string, string> { ["CLAUDE_CODE_PATH"] = ClaudeCodeCli.Executable },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        await using var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events");

        // Turn 1: a tool call that changes the workspace, then the answer, in order, with what it cost.
        var first = await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "turn 1 completes");
        Assert.Equal("success", first.Payload["outcome"]!.GetValue<string>());
        Assert.Equal(2, first.Payload["num_turns"]!.GetValue<int>());
        Assert.True(first.Payload["usage"]!["output_tokens"]!.GetValue<long>() > 0);
        Assert.Equal(["agent.tool_use", "agent.tool_result", "agent.output", "turn.completed"], AgentEvents(stream, 1).Select(e => e.Type));
        var toolUse = AgentEvents(stream, 1)[0].Payload;
        Assert.Equal(("Bash", "echo hi > proof.txt"), (toolUse["name"]!.GetValue<string>(), toolUse["input"]!["command"]!.GetValue<string>()));
        Assert.Equal("Wrote proof.txt.", AgentEvents(stream, 1)[2].Text());
        // The text streamed first, as deltas the whole block repeats.
        var deltas = stream.Received.Where(e => e.Turn == 1 && e.Type == "agent.output" && e.Payload["delta"]?.GetValue<bool>() == true).ToList();
        Assert.NotEmpty(deltas);
        Assert.Equal("Wrote proof.txt.", string.Concat(deltas.Select(e => e.Text())));
        Assert.True(deltas[^1].Id < AgentEvents(stream, 1)[2].Id, "the deltas come before the whole block");

        // Turn 2: the same agent, the same workspace, the whole conversation sent to the model.
        await node.Http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "What does proof.txt say?" });
        await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "turn 2 completes");
        var result = AgentEvents(stream, 2).Single(e => e.Type == "agent.tool_result").Payload;
        Assert.Equal(("hi", false), (result["content"]!.GetValue<string>().Trim(), result["is_error"]!.GetValue<bool>()));
        var history = fake.Conversation[^1];
        Assert.Contains("Write hi into proof.txt", history.MessagesText);
        Assert.Contains("What does proof.txt say?", history.MessagesText);
        Assert.Contains("Wrote proof.txt.", history.MessagesText);

        // Turn 3: interrupted while the model is mid-answer; the session stays usable.
        await node.Http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "Take your time." });
        await held.Holding.WaitAsync(Deadline);
        Assert.Equal(HttpStatusCode.Accepted, (await node.Http.PostAsync($"/sessions/{id}/interrupt", null)).StatusCode);
        var interrupted = await stream.WaitForAsync(e => e.IsTurnCompleted(3), Deadline, "turn 3 ends interrupted");
        Assert.Equal("interrupted", interrupted.Payload["outcome"]!.GetValue<string>());

        // Turn 4: the model keeps calling tools; the turn limit (max_turns 2) ends the turn.
        await node.Http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "Count." });
        var limited = await stream.WaitForAsync(e => e.IsTurnCompleted(4), Deadline, "turn 4 reaches its limit");
        Assert.Equal("max_turns", limited.Payload["outcome"]!.GetValue<string>());

        Assert.Equal(Enumerable.Range(1, stream.Received.Count).Select(i => (long)i), stream.Received.Select(e => e.Id));
        Assert.All(fake.Requests.Where(r => r.Method == "POST"), r => Assert.Equal(fake.ApiKey, r.ApiKey)); // the CLI also sends a keyless HEAD / to check it can connect
        Assert.Null(AgentProcesses.Variable(AgentProcesses.Of(id)[0], "ANTHROPIC_API_KEY"));
        Assert.DoesNotContain(stream.Received, e => e.Json().Contains(fake.ApiKey));
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync($"/sessions/{id}")).StatusCode);
    }

    /// <summary>What the agent said in a turn: tool calls, their results, its whole text blocks and the turn's end (stderr and text deltas aside).</summary>
    private static List<SseEvent> AgentEvents(SseStream stream, int turn) =>
        stream.Received.Where(e => e.Turn == turn && e.Type is "agent.tool_use" or "agent.tool_result" or "turn.completed"
            || (e.Turn == turn && e.Type == "agent.output" && e.Payload["stream"]!.GetValue<string>() == "text" && e.Payload["delta"] is null)).ToList();
}

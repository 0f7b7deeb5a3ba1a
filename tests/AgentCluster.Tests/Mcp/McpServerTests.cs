using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AgentCluster.Tests.Fakes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentCluster.Tests.Mcp;

/// <summary>
/// The node's MCP server at <c>/mcp</c> driven by the official MCP C# client over Streamable HTTP, against a real node whose
/// agents' model is scripted: sessions started, continued, waited for, looked at, interrupted and deleted as tools; a
/// command and a file of the machine; a transcript as a resource; another key's session as a missing one.
/// </summary>
public sealed class McpServerTests(McpNodeFixture fixture) : IClassFixture<McpNodeFixture>
{
    private static readonly TimeSpan Deadline = McpNodeFixture.Deadline;
    private McpClient Client => fixture.Client;

    [Fact]
    public async Task The_tools_and_their_parameters_are_listed_in_snake_case()
    {
        var tools = await Client.ListToolsAsync();

        Assert.Equal(["delete_session", "exec", "get_session", "interrupt", "list_sessions", "read_file", "send_message", "start_session", "wait_for_turn"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var wait = tools.Single(t => t.Name == "wait_for_turn");
        var properties = wait.JsonSchema.GetProperty("properties");
        Assert.Equal(["session_id", "timeout_s", "turn"], properties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["session_id"], wait.JsonSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.All(tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
    }

    [Fact]
    public async Task A_session_started_and_continued_answers_each_turns_text_when_waited_for()
    {
        fixture.Model.Script(Reply.ToolUse("Bash", new { command = "echo 42 > answer.txt" }), Reply.Text("Wrote answer.txt."));
        var started = (await Call("start_session", new() { ["prompt"] = "Write 42 into answer.txt", ["preset"] = "coder" })).Json();
        var id = started.Str("session_id");
        Assert.Equal(1, started.Int("turn"));

        var first = (await Call("wait_for_turn", new() { ["session_id"] = id, ["turn"] = 1, ["timeout_s"] = 90 })).Json();
        Assert.Equal((true, "success", "Wrote answer.txt."), (first.GetProperty("finished").GetBoolean(), first.Str("outcome"), first.Str("text")));

        fixture.Model.Script(Reply.Text("It says 42."));
        var sent = (await Call("send_message", new() { ["session_id"] = id, ["text"] = "What does it say?" })).Json();
        Assert.Equal(2, sent.Int("turn"));
        var second = (await Call("wait_for_turn", new() { ["session_id"] = id, ["timeout_s"] = 90 })).Json(); // the latest turn
        Assert.Equal((2, "success", "It says 42."), (second.Int("turn"), second.Str("outcome"), second.Str("text")));
        Assert.Contains("What does it say?", fixture.Model.Conversation[^1].Body.GetRawText(), StringComparison.Ordinal);

        // Turn 1 again, well past: read from the log, its text all the turn said.
        var again = (await Call("wait_for_turn", new() { ["session_id"] = id, ["turn"] = 1, ["timeout_s"] = 0 })).Json();
        Assert.Equal((1, "success", "Wrote answer.txt."), (again.Int("turn"), again.Str("outcome"), again.Str("text")));

        var session = (await Call("get_session", new() { ["session_id"] = id })).Json();
        Assert.Equal((id, 2, "idle", "coder"), (session.Str("session_id"), session.Int("turns"), session.Str("status"), session.Str("preset")));
        Assert.Equal("It says 42.", session.GetProperty("result").Str("text"));

        var listed = (await Call("list_sessions", new() { ["limit"] = 100 })).Json();
        Assert.Contains(id, listed.GetProperty("sessions").EnumerateArray().Select(s => s.Str("session_id")));

        // The file the agent's tool wrote, read back; and a command of the caller's own.
        Assert.Equal("42\n", (await Call("read_file", new() { ["session_id"] = id, ["path"] = "answer.txt" })).Text());
        var ran = (await Call("exec", new() { ["session_id"] = id, ["command"] = "echo hi; echo oops >&2; exit 3" })).Json();
        Assert.Equal((3, "hi\n", "oops\n"), (ran.Int("exit_code"), ran.Str("stdout"), ran.Str("stderr")));
        Assert.Equal(0, (await Call("exec", new() { ["session_id"] = id, ["command"] = "echo hi" })).Json().Int("exit_code"));

        var transcript = await Client.ReadResourceAsync($"agentcluster://sessions/{id}/transcript");
        var markdown = Assert.IsType<TextResourceContents>(Assert.Single(transcript.Contents));
        Assert.Equal("text/markdown", markdown.MimeType);
        AssertInOrder(markdown.Text, $"# Session {id}", "## Turn 1", "**User:** Write 42 into answer.txt", "- tool `Bash`", "echo 42 > answer.txt",
            "Wrote answer.txt.", "_Turn 1: success_", "## Turn 2", "**User:** What does it say?", "It says 42.", "_Turn 2: success_", "- exec `echo hi`");
        Assert.Contains(await Client.ListResourcesAsync(), r => r.Uri == $"agentcluster://sessions/{id}/transcript");

        var deleted = (await Call("delete_session", new() { ["session_id"] = id })).Json();
        Assert.Equal(("terminated", "deleted"), (deleted.Str("status"), deleted.Str("reason")));
        var refused = await Call("send_message", new() { ["session_id"] = id, ["text"] = "still there?" });
        Assert.True(refused.IsError);
        Assert.Contains("terminated", refused.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_turn_is_interrupted_and_waited_for_as_interrupted()
    {
        var held = Reply.Held("Thinking");
        fixture.Model.Script(held);
        var id = (await Call("start_session", new() { ["prompt"] = "Think forever", ["preset"] = "coder" })).Json().Str("session_id");
        await held.Holding.WaitAsync(Deadline);

        var pending = (await Call("wait_for_turn", new() { ["session_id"] = id, ["timeout_s"] = 0 })).Json();
        Assert.Equal((false, "running"), (pending.GetProperty("finished").GetBoolean(), pending.Str("status")));
        var interrupted = (await Call("interrupt", new() { ["session_id"] = id })).Json();
        Assert.Equal(1, interrupted.Int("turn"));
        var answer = (await Call("wait_for_turn", new() { ["session_id"] = id, ["turn"] = 1, ["timeout_s"] = 90 })).Json();
        Assert.Equal((true, "interrupted"), (answer.GetProperty("finished").GetBoolean(), answer.Str("outcome")));
        await held.Disconnected.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Another_keys_session_is_missing_and_mistakes_are_tool_errors_without_stack_traces()
    {
        fixture.Model.Script(Reply.Text("Mine."));
        var id = (await Call("start_session", new() { ["prompt"] = "hello", ["preset"] = "coder" })).Json().Str("session_id");

        await using var other = await fixture.ConnectAsync(fixture.OtherKey);
        var theirs = await other.CallToolAsync("get_session", new Dictionary<string, object?> { ["session_id"] = id });
        var missing = await other.CallToolAsync("get_session", new Dictionary<string, object?> { ["session_id"] = "no-such-session" });
        Assert.True(theirs.IsError);
        Assert.Equal(missing.Text().Replace("no-such-session", id, StringComparison.Ordinal), theirs.Text()); // exactly as a missing one
        Assert.Contains($"There is no session '{id}'", theirs.Text(), StringComparison.Ordinal);
        Assert.True((await other.CallToolAsync("exec", new Dictionary<string, object?> { ["session_id"] = id, ["command"] = "id" })).IsError);
        Assert.DoesNotContain(id, (await other.CallToolAsync("list_sessions")).Json().GetProperty("sessions").GetRawText(), StringComparison.Ordinal);
        var resource = await Assert.ThrowsAsync<McpProtocolException>(() => other.ReadResourceAsync($"agentcluster://sessions/{id}/transcript").AsTask());
        Assert.Equal(McpErrorCode.ResourceNotFound, resource.ErrorCode);

        var badTurn = await Call("wait_for_turn", new() { ["session_id"] = id, ["turn"] = 7, ["timeout_s"] = 0 });
        Assert.True(badTurn.IsError);
        Assert.Contains("turn", badTurn.Text(), StringComparison.Ordinal);
        var badPreset = await Call("start_session", new() { ["prompt"] = "hi", ["preset"] = "no-such-preset" });
        Assert.True(badPreset.IsError);
        Assert.Contains("no-such-preset", badPreset.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", badPreset.Text(), StringComparison.Ordinal);
        var noText = await Call("send_message", new() { ["session_id"] = id });
        Assert.Equal((true, "text is required."), (noText.IsError, noText.Text()));
        var wrongType = await Call("wait_for_turn", new() { ["session_id"] = id, ["turn"] = "first" });
        Assert.True(wrongType.IsError);
        Assert.Equal("turn must be a JSON integer.", wrongType.Text());
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_401()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{fixture.Node.Url}/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", Encoding.UTF8, "application/json"),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-a-key") },
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => fixture.ConnectAsync("not-a-key"));
    }

    private async Task<CallToolResult> Call(string tool, Dictionary<string, object?> arguments) =>
        await Client.CallToolAsync(tool, arguments).AsTask().WaitAsync(Deadline);

    private static void AssertInOrder(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{part}' after position {at} in:\n{text}");
            at = found + part.Length;
        }
    }
}

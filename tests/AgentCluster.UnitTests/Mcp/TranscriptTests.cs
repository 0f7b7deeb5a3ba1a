using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Mcp;

namespace AgentCluster.UnitTests.Mcp;

/// <summary>A session's log rendered as the MCP transcript resource: the conversation, tool calls in a line, no noise.</summary>
public sealed class TranscriptTests
{
    private long seq;

    [Fact]
    public void Turns_show_the_user_the_agents_complete_text_its_tool_calls_and_the_outcome()
    {
        var markdown = Render(shell: false,
            Event(1, EventTypes.SessionStatus, """{"status":"starting"}"""),
            Event(1, EventTypes.UserMessage, """{"content":"List the files"}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"I'll ","delta":true}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"look.","delta":true}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"I'll look."}"""),
            Event(1, EventTypes.AgentToolUse, """{"id":"t1","name":"Bash","input":{"command":"ls"}}"""),
            Event(1, EventTypes.AgentToolUse, """{"id":"t2","name":"Read","input":{"path":"gone.txt"}}"""),
            Event(1, EventTypes.AgentToolResult, """{"tool_use_id":"t2","content":"no such file","is_error":true}"""),
            Event(1, EventTypes.AgentToolResult, """{"tool_use_id":"t1","content":"secret.txt","is_error":false}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"stderr","text":"claude: retrying"}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"One file."}"""),
            Event(1, EventTypes.TurnCompleted, """{"outcome":"success"}"""),
            Event(2, EventTypes.UserMessage, """{"content":"Again"}"""),
            Event(2, EventTypes.TurnCompleted, """{"outcome":"interrupted","reason":"client"}"""),
            Event(0, EventTypes.SessionExec, """{"command":"git status","exit_code":0,"via":"agent"}"""),
            Event(0, EventTypes.SessionStatus, """{"status":"terminated","reason":"deleted"}"""));

        Assert.Equal("""
            # Session s1

            ## Turn 1

            **User:** List the files

            **Agent:**

            I'll look.

            - tool `Bash` `{"command":"ls"}`

            - tool `Read` `{"path":"gone.txt"}` → error

            **Agent:**

            One file.

            _Turn 1: success_

            ## Turn 2

            **User:** Again

            _Turn 2: interrupted (client)_

            - exec `git status` → exit 0

            _Session terminated (deleted)_

            """, markdown);
        Assert.DoesNotContain("secret.txt", markdown, StringComparison.Ordinal); // a tool's result is the agent's to summarize
        Assert.DoesNotContain("retrying", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Fragments_no_block_followed_are_kept_and_long_tool_input_is_cut()
    {
        var input = new string('x', Transcript.MaxToolInputChars * 2);
        var markdown = Render(shell: false,
            Event(1, EventTypes.UserMessage, """{"content":"go"}"""),
            Event(1, EventTypes.AgentToolUse, $$$"""{"id":"t1","name":"Write","input":{"text":"{{{input}}}"}}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"Half an ","delta":true}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"answer","delta":true}"""),
            Event(1, EventTypes.TurnCompleted, """{"outcome":"interrupted"}"""));

        Assert.Contains("**Agent:**\n\nHalf an answer\n\n_Turn 1: interrupted_", markdown, StringComparison.Ordinal);
        var toolLine = markdown.Split('\n').Single(l => l.StartsWith("- tool `Write`", StringComparison.Ordinal));
        Assert.EndsWith("…`", toolLine, StringComparison.Ordinal);
        Assert.True(toolLine.Length < Transcript.MaxToolInputChars + 30, toolLine);
    }

    [Fact]
    public void A_shell_sessions_output_lines_are_its_answer_as_code()
    {
        var markdown = Render(shell: true,
            Event(1, EventTypes.UserMessage, """{"content":"echo one; echo two >&2"}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"stdout","text":"one"}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"stderr","text":"two"}"""),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"not a shell's"}"""),
            Event(1, EventTypes.TurnCompleted, """{"outcome":"success","exit_code":0}"""));

        Assert.Contains("**Agent:**\n\n    one\n\n    two\n\n_Turn 1: success_", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("not a shell's", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_payload_is_skipped()
    {
        var markdown = Render(shell: false,
            Event(1, EventTypes.UserMessage, """{"content":"hi"}"""),
            Event(1, EventTypes.AgentOutput, "not json"),
            Event(1, EventTypes.AgentOutput, """{"stream":"text","text":"Hello."}"""));

        Assert.EndsWith("**User:** hi\n\n**Agent:**\n\nHello.\n", markdown, StringComparison.Ordinal);
    }

    private static string Render(bool shell, params SessionEvent[] events)
    {
        var transcript = new Transcript("s1", shell);
        foreach (var e in events) transcript.Observe(e);
        return transcript.Markdown();
    }

    private SessionEvent Event(int turn, string type, string payload) =>
        new() { Seq = ++seq, Type = type, Turn = turn, At = DateTimeOffset.UnixEpoch, Payload = payload };
}

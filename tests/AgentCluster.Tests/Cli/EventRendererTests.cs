using AgentCluster.Abstractions.Sessions;
using AgentCluster.Cli.Output;

namespace AgentCluster.Tests.Cli;

/// <summary>How agentcluster shows a model runtime's turn to a person: streamed text once, each tool call one line with its result.</summary>
public sealed class EventRendererTests
{
    [Fact]
    public void A_coding_turn_reads_as_a_conversation_with_one_line_per_tool_call()
    {
        var output = new StringWriter();
        var renderer = new EventRenderer(new Screen(output, terminal: false));
        var seq = 0;
        void Render(string type, string payload) => renderer.Render(new SessionEvent { Seq = ++seq, Type = type, Turn = 1, Payload = payload });

        Render(EventTypes.SessionStatus, EventPayloads.Status(SessionStatus.Starting, null));
        Render(EventTypes.UserMessage, EventPayloads.UserMessage("Write primes.py"));
        Render(EventTypes.SessionStatus, EventPayloads.Status(SessionStatus.Running, null));
        Render(EventTypes.AgentOutput, EventPayloads.Output("text", "I'll write ", delta: true));
        Render(EventTypes.AgentOutput, EventPayloads.Output("text", "the script.", delta: true));
        Render(EventTypes.AgentOutput, EventPayloads.Output("text", "I'll write the script."));
        Render(EventTypes.AgentToolUse, EventPayloads.ToolUse("t1", "Bash", """{"command":"python3 primes.py","description":"run it"}"""));
        Render(EventTypes.AgentToolUse, EventPayloads.ToolUse("t2", "Read", """{"file_path":"/w/missing.py"}"""));
        Render(EventTypes.AgentToolResult, EventPayloads.ToolResult("t1", "2 3 5 7\n11 13\n", isError: false));
        Render(EventTypes.AgentToolResult, EventPayloads.ToolResult("t2", "File does not exist.", isError: true));
        Render(EventTypes.AgentToolUse, EventPayloads.ToolUse("t3", "Glob", """{"pattern":"**/*.py"}"""));
        Render(EventTypes.SessionWarning, EventPayloads.Warning(WarningKinds.Budget, "80% of the budget used", DateTimeOffset.UnixEpoch));
        Render(EventTypes.AgentOutput, EventPayloads.Output("text", "It prints the primes."));
        Render(EventTypes.TurnCompleted, EventPayloads.TurnCompleted("success", null, 3, new TokenUsage(1000, 234), 0.0123m, deniedTools: 1));

        Assert.Equal(
        [
            "· session starting",
            "> Write primes.py",
            "· session running",
            "I'll write the script.",
            "✓ Bash python3 primes.py → 2 3 5 7 (+1 lines)",
            "✗ Read /w/missing.py → File does not exist.",
            "warning: 80% of the budget used",
            "It prints the primes.",
            "… Glob **/*.py (no result)",
            "✓ turn 1 success · 3 model calls · 1,234 tokens · $0.0123 · 1 tool calls denied",
        ], output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

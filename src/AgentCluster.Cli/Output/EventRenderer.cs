using AgentCluster.Abstractions.Sessions;
using Spectre.Console;

namespace AgentCluster.Cli.Output;

/// <summary>
/// A session's events for a person: the prompt, the model's text as it streams, each tool call as one line with its
/// result (✓, or ✗ when the tool failed), warnings and errors marked, and how each turn ended.
/// </summary>
internal sealed class EventRenderer(Screen screen)
{
    private static readonly Style Dim = new(Color.Grey);
    private static readonly Style Prompt = new(decoration: Decoration.Bold);
    private static readonly Style Bad = new(Color.Red);
    private static readonly Style Warn = new(Color.Yellow);
    private static readonly Style Good = new(Color.Green);

    /// <summary>Tool calls waiting for their result, by tool_use id, in the order they were made.</summary>
    private readonly Dictionary<string, string> pending = new(StringComparer.Ordinal);

    /// <summary>Whether model text is streaming in fragments (its whole block, which follows, is then not printed again).</summary>
    private bool streaming;

    /// <summary>What the session is doing, for a spinner.</summary>
    public string Status { get; private set; } = "Starting…";

    public void Render(SessionEvent e)
    {
        var payload = Payload.Parse(e.Payload);
        switch (e.Type)
        {
            case EventTypes.AgentOutput:
                Output(payload);
                return;
            case EventTypes.AgentToolUse:
                EndFragments();
                pending[payload.String("id") ?? ""] = ToolCallLine.Describe(payload.String("name") ?? "tool", payload.Raw("input"));
                return;
            case EventTypes.AgentToolResult:
                EndFragments();
                var id = payload.String("tool_use_id") ?? "";
                var call = pending.Remove(id, out var described) ? described : "tool";
                var failed = payload.Flag("is_error");
                screen.Line($"{(failed ? "✗" : "✓")} {call} → {ToolCallLine.Result(payload.String("content"))}", failed ? Bad : Dim);
                return;
        }
        EndFragments();
        switch (e.Type)
        {
            case EventTypes.SessionStatus:
                StatusLine(payload);
                break;
            case EventTypes.UserMessage:
                screen.Line($"> {payload.String("content")}", Prompt);
                break;
            case EventTypes.TurnCompleted:
                Unanswered();
                TurnLine(e.Turn, payload);
                break;
            case EventTypes.SessionError:
                screen.Line($"error: {payload.String("message")}", Bad);
                break;
            case EventTypes.SessionWarning:
                screen.Line($"warning: {payload.String("message")}", Warn);
                break;
            case EventTypes.SessionExec:
                screen.Line($"· exec {payload.String("command")} → exit {payload.Number("exit_code")?.ToString() ?? "?"}", Dim);
                break;
            default:
                screen.Line($"· {e.Type} {e.Payload}", Dim);
                break;
        }
    }

    /// <summary>Ends what is open: a line of streamed text, tool calls that never got a result.</summary>
    public void Finish()
    {
        EndFragments();
        Unanswered();
    }

    private void Output(Payload payload)
    {
        var text = payload.String("text") ?? "";
        switch (payload.String("stream"))
        {
            case "text" when payload.Flag("delta"):
                streaming = true;
                screen.Fragment(text);
                Status = "Writing…";
                break;
            case "text" when streaming:
                EndFragments(); // the whole block of what was just streamed
                break;
            case "text":
                screen.Line(text);
                break;
            case "stderr":
                screen.Line(text.TrimEnd('\n'), Warn);
                break;
            default:
                screen.Line(text.TrimEnd('\n'));
                break;
        }
    }

    private void StatusLine(Payload payload)
    {
        var status = payload.String("status") ?? "?";
        var reason = payload.String("reason");
        Status = status switch
        {
            "starting" when payload.Number("queue_position") is { } ahead => $"Waiting for a machine ({ahead} ahead)…",
            "starting" => reason is null ? "Starting the machine…" : $"Starting the machine ({reason})…",
            "running" => "Running…",
            _ => status,
        };
        var line = reason is null ? $"· session {status}" : $"· session {status} ({reason})";
        screen.Line(line, status == "terminated" && reason is not ("completed" or "deleted") ? Bad : Dim);
    }

    private void TurnLine(int turn, Payload payload)
    {
        var outcome = payload.String("outcome") ?? "?";
        var facts = new List<string>();
        if (payload.Number("exit_code") is { } exit) facts.Add($"exit {exit}");
        if (payload.Number("num_turns") is { } calls) facts.Add($"{calls} model calls");
        var usage = payload.Object("usage");
        if (usage.Number("input_tokens") is { } input && usage.Number("output_tokens") is { } output) facts.Add($"{input + output:N0} tokens");
        if (payload.Decimal("cost_usd") is { } cost) facts.Add($"${cost:0.####}");
        if (payload.Number("denied_tools") is { } denied and > 0) facts.Add($"{denied} tool calls denied");
        if (payload.String("reason") is { } reason) facts.Add(reason);
        var ok = outcome == TurnOutcomes.Success;
        screen.Line($"{(ok ? "✓" : "✗")} turn {turn} {outcome}{(facts.Count > 0 ? " · " + string.Join(" · ", facts) : "")}", ok ? Good : Bad);
    }

    private void Unanswered()
    {
        foreach (var call in pending.Values) screen.Line($"… {call} (no result)", Dim);
        pending.Clear();
    }

    private void EndFragments()
    {
        if (!streaming) return;
        streaming = false;
        screen.EndLine();
    }
}

using System.Text;
using System.Text.Json;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// A session's conversation as Markdown, from its event log: each turn's user message, the agent's text, its tool calls in
/// one line each (name, input cut short, and whether the result was an error: the result itself is left out, it can be
/// long and the agent said what it made of it), and how the turn ended. A model's streamed fragments give way to the
/// complete block that follows them (kept when none follows, as for an interrupted answer); a shell runtime's
/// stdout/stderr lines are its answer, a model runtime's are diagnostics and left out. No I/O: a reader feeds it.
/// </summary>
public sealed class Transcript(string sessionId, bool shell)
{
    /// <summary>How much of a tool call's input is shown: enough to say what it did.</summary>
    public const int MaxToolInputChars = 200;

    private readonly List<string> lines = [$"# Session {sessionId}"];
    private readonly StringBuilder fragments = new();
    private readonly Dictionary<string, int> toolLines = new(StringComparer.Ordinal);
    private int turn;
    private bool agentSpeaking;

    public void Observe(SessionEvent e)
    {
        using var document = Parse(e.Payload);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } payload) return;
        if (e.Type != EventTypes.AgentOutput) FlushFragments(); // no block came for them: they are all that was said
        switch (e.Type)
        {
            case EventTypes.UserMessage:
                Turn(e.Turn);
                Line($"**User:** {String(payload, "content")}");
                agentSpeaking = false;
                break;
            case EventTypes.AgentOutput:
                Output(e.Turn, payload);
                break;
            case EventTypes.AgentToolUse:
                Turn(e.Turn);
                var id = String(payload, "id");
                Line($"- tool `{String(payload, "name")}` {Cut(payload.TryGetProperty("input", out var input) ? input.GetRawText() : "")}");
                if (id is not null) toolLines[id] = lines.Count - 1; // where " → error" goes, should its result say so
                agentSpeaking = false;
                break;
            case EventTypes.AgentToolResult when payload.TryGetProperty("is_error", out var error) && error.ValueKind == JsonValueKind.True:
                if (String(payload, "tool_use_id") is { } useId && toolLines.Remove(useId, out var at)) lines[at] += " → error";
                break;
            case EventTypes.TurnCompleted:
                Turn(e.Turn);
                var reason = String(payload, "reason");
                Line($"_Turn {e.Turn}: {String(payload, "outcome") ?? "unknown"}{(reason is null ? "" : $" ({reason})")}_");
                break;
            case EventTypes.SessionExec:
                Line($"- exec `{String(payload, "command")}` → exit {(payload.TryGetProperty("exit_code", out var exit) && exit.ValueKind == JsonValueKind.Number ? exit.GetInt32() : "?")}");
                break;
            case EventTypes.SessionStatus when String(payload, "status") == "terminated":
                Line($"_Session terminated ({String(payload, "reason") ?? "unknown"})_");
                break;
        }
    }

    /// <summary>The transcript so far (fragments still waiting for their block included).</summary>
    public string Markdown()
    {
        FlushFragments();
        return string.Join("\n\n", lines) + "\n";
    }

    private void Output(int outputTurn, JsonElement output)
    {
        var stream = String(output, "stream");
        if (String(output, "text") is not { } text) return;
        if (shell ? stream is not ("stdout" or "stderr") : stream != "text") return;
        Turn(outputTurn);
        if (!shell && IsDelta(output))
        {
            fragments.Append(text);
            return;
        }
        fragments.Clear(); // the complete block says what its fragments did
        Said(shell ? $"    {text}" : text);
    }

    private void FlushFragments()
    {
        if (fragments.Length == 0) return;
        Said(fragments.ToString());
        fragments.Clear();
    }

    private void Said(string text)
    {
        if (!agentSpeaking) Line("**Agent:**");
        Line(text);
        agentSpeaking = true;
    }

    private void Turn(int number)
    {
        if (number == turn || number == 0) return;
        turn = number;
        agentSpeaking = false;
        Line($"## Turn {number}");
    }

    private void Line(string text) => lines.Add(text);

    private static string Cut(string input) =>
        input.Length <= MaxToolInputChars ? $"`{input}`" : $"`{input[..MaxToolInputChars]}…`";

    private static bool IsDelta(JsonElement output) => output.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.True;

    private static JsonDocument? Parse(string payload)
    {
        try { return JsonDocument.Parse(payload); }
        catch (JsonException) { return null; } // an agent's malformed payload says nothing here
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

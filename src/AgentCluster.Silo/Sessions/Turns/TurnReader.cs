using System.Text;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions.Turns;

/// <summary>
/// One turn of a session read from its event log, for the protocols that speak of a turn as an answer (OpenAI chat
/// completions, A2A tasks, MCP tools): each event in, the text it adds out. The answer's text is the turn's model text
/// (<c>agent.output</c> of stream <c>text</c>: the streamed fragments as they come, then of each complete block only
/// what its fragments did not already say; blocks apart by a blank line), or a shell runtime's stdout and stderr
/// lines. Tool calls and their results are the agent's own work and are left out, as is a model runtime's diagnostic
/// stdout/stderr. The turn ends with its <c>turn.completed</c>, or with the session ending first. Events of other turns
/// are ignored. No I/O: an adapter feeds it.
/// </summary>
public sealed class TurnReader(int turn, bool shell)
{
    private readonly StringBuilder text = new();
    private string blockSaid = "";
    private bool anyBlock;

    public int Turn => turn;

    /// <summary>The turn has ended: finished (<see cref="Outcome"/>) or cut short by the session's end.</summary>
    public bool Ended { get; private set; }

    /// <summary>The turn's outcome (one of <see cref="TurnOutcomes"/>) once it finished; null before, or when the session ended first.</summary>
    public string? Outcome { get; private set; }

    /// <summary>Why the turn or the session ended, when the agent or the session said.</summary>
    public string? Reason { get; private set; }

    /// <summary>The session ended before the turn finished.</summary>
    public bool SessionEnded { get; private set; }

    public TokenUsage? Usage { get; private set; }

    /// <summary>All the answer's text so far.</summary>
    public string Text => text.ToString();

    /// <summary>The text <paramref name="e"/> adds to the answer, or null when it adds none (check <see cref="Ended"/>).</summary>
    public string? Observe(SessionEvent e)
    {
        if (Ended || (e.Type != EventTypes.SessionStatus && e.Turn != turn)) return null;
        using var document = Parse(e.Payload);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } payload) return null;
        switch (e.Type)
        {
            case EventTypes.AgentOutput: return Said(payload);
            case EventTypes.TurnCompleted: Completed(payload); return null;
            case EventTypes.SessionStatus when String(payload, "status") == "terminated":
                (Ended, SessionEnded, Reason) = (true, true, String(payload, "reason") ?? "unknown");
                return null;
            default: return null;
        }
    }

    private string? Said(JsonElement output)
    {
        var stream = String(output, "stream");
        if (String(output, "text") is not { } said) return null;
        if (shell)
            return stream is "stdout" or "stderr" ? Add(said + "\n") : null;
        if (stream != "text") return null;
        if (output.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.True)
        {
            var added = Add((blockSaid.Length == 0 && anyBlock ? "\n\n" : "") + said);
            blockSaid += said;
            anyBlock = true;
            return added;
        }
        // The complete block: what its fragments said already is not said again.
        var rest = said.StartsWith(blockSaid, StringComparison.Ordinal) ? said[blockSaid.Length..] : "";
        var separator = blockSaid.Length == 0 && anyBlock ? "\n\n" : "";
        blockSaid = "";
        anyBlock = true;
        return rest.Length == 0 ? null : Add(separator + rest);
    }

    private void Completed(JsonElement ending)
    {
        Ended = true;
        Outcome = String(ending, "outcome") ?? "unknown";
        Reason = String(ending, "reason");
        if (ending.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            Usage = usage.Deserialize<TokenUsage>(ProtocolJson.Options);
    }

    private string Add(string added)
    {
        text.Append(added);
        return added;
    }

    private static JsonDocument? Parse(string payload)
    {
        try { return JsonDocument.Parse(payload); }
        catch (JsonException) { return null; } // an agent's malformed payload says nothing here
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

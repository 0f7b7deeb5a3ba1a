using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The session's last finished turn (<see cref="TurnResult"/>) and its count of refused tool calls, kept as events
/// are committed: each event costs a look at its own payload only, never a read of the log. The text of the turn
/// under way is drafted here too (a model runtime's last complete text block, or the tail of a shell turn's
/// output), so that its end has it at hand. Persisted with the session's state: the draft whenever the state is
/// written (a turn taken, a message, a status change), the result with the turn's end.
/// </summary>
[GenerateSerializer, Alias("AgentCluster.TurnResults")]
public sealed class TurnResults
{
    /// <summary>How much of a shell turn's output the result keeps: its last 4 KB of characters.</summary>
    public const int ShellTailChars = 4096;

    /// <summary>The longest text block kept (its end, if longer): the state stays small whatever a model writes.</summary>
    public const int MaxTextChars = 32 * 1024;

    [Id(0)] public TurnResult? Last { get; set; }

    /// <summary>The sum of <c>denied_tools</c> over the session's <c>turn.completed</c> events.</summary>
    [Id(1)] public int DeniedTools { get; set; }

    /// <summary>The turn <see cref="Draft"/> belongs to.</summary>
    [Id(2)] public int DraftTurn { get; set; }

    [Id(3)] public string? Draft { get; set; }

    /// <param name="shell">The session's runtime is shell: its text is the tail of stdout and stderr, not a text block.</param>
    public void Observe(string type, int turn, string payload, DateTimeOffset at, bool shell)
    {
        if (type != EventTypes.AgentOutput && type != EventTypes.TurnCompleted) return;
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return;
            if (type == EventTypes.AgentOutput) Take(turn, root, shell);
            else Finish(turn, root, at);
        }
        catch (JsonException)
        {
            // An agent's malformed payload is stored as sent; it just says nothing here.
        }
    }

    private void Take(int turn, JsonElement output, bool shell)
    {
        if (turn != DraftTurn) (DraftTurn, Draft) = (turn, null);
        var stream = Text(output, "stream");
        if (Text(output, "text") is not { } text) return;
        if (shell)
        {
            if (stream is not ("stdout" or "stderr")) return;
            var joined = Draft is null ? text : Draft + "\n" + text;
            Draft = Tail(joined, ShellTailChars);
        }
        // Streamed fragments (delta: true) are followed by their complete block, which is the one kept.
        else if (stream == "text" && !(output.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.True))
        {
            Draft = Tail(text, MaxTextChars);
        }
    }

    private void Finish(int turn, JsonElement ending, DateTimeOffset at)
    {
        var denied = Number(ending, "denied_tools") is { } n and > 0 ? (int)Math.Min(n, int.MaxValue) : 0;
        Last = new TurnResult
        {
            Turn = turn,
            Outcome = Text(ending, "outcome") ?? TurnOutcomes.Error,
            Text = DraftTurn == turn ? Draft : null,
            Reason = Text(ending, "reason"),
            ExitCode = Number(ending, "exit_code") is { } code and >= int.MinValue and <= int.MaxValue ? (int)code : null,
            Usage = UsageOf(ending),
            CostUsd = ending.TryGetProperty("cost_usd", out var cost) && cost.ValueKind == JsonValueKind.Number && cost.TryGetDecimal(out var usd) ? usd : null,
            FinishedAt = at,
            DeniedTools = denied,
        };
        DeniedTools = (int)Math.Min((long)DeniedTools + denied, int.MaxValue);
        if (DraftTurn == turn) Draft = null;
    }

    private static TokenUsage? UsageOf(JsonElement ending) =>
        ending.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object ? usage.Deserialize<TokenUsage>(ProtocolJson.Options) : null;

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    private static string Tail(string text, int most) => text.Length <= most ? text : text[^most..];
}

using System.Text;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// One turn of a session read as an OpenAI answer: each event of the session's log in, the chunks it adds out. The
/// assistant's text is the turn's model text (<c>agent.output</c> of stream <c>text</c>: the streamed fragments as they
/// come, then of each complete block only what its fragments did not already say; blocks apart by a blank line), or a
/// shell runtime's stdout and stderr lines. Tool calls and their results are the agent's own work: they are not
/// OpenAI tool calls and are left out, as is a model runtime's diagnostic stdout/stderr. The turn ends with its
/// <c>turn.completed</c>: <c>stop</c>, or <c>length</c> when it ran out of model turns; an error outcome, or the
/// session ending first, is a <see cref="Failure"/>. Events of other turns are ignored. No I/O: the adapter feeds it.
/// </summary>
public sealed class ChatTurnTranslator(string id, long created, string model, int turn, bool shell, bool includeUsage)
{
    private readonly StringBuilder text = new();
    private string blockSaid = "";
    private bool roleSent;
    private bool anyBlock;

    /// <summary>The turn has ended (finished or failed): no more chunks come.</summary>
    public bool Ended { get; private set; }

    /// <summary>Why the turn failed (an error outcome, or the session ended before the turn did); null otherwise.</summary>
    public OpenAiError? Failure { get; private set; }

    public string? FinishReason { get; private set; }

    public ChatUsage Usage { get; private set; } = new(0, 0);

    /// <summary>All the assistant's text so far: a non-streamed answer's content.</summary>
    public string Text => text.ToString();

    /// <summary>The chunks <paramref name="e"/> adds to the answer: none, text deltas, or the finish (and usage) chunks.</summary>
    public IReadOnlyList<ChatCompletionChunk> Observe(SessionEvent e)
    {
        if (Ended) return [];
        if (e.Type == EventTypes.SessionStatus) return Ending(e);
        if (e.Turn != turn) return [];
        using var document = Parse(e.Payload);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } payload) return [];
        return e.Type switch
        {
            EventTypes.AgentOutput => Said(payload),
            EventTypes.TurnCompleted => Completed(payload),
            _ => [],
        };
    }

    /// <summary>The answer of a non-streamed request, once the turn has finished without failure.</summary>
    public ChatCompletion Completion() =>
        new(id, created, model, [new ChatChoice(0, new AssistantMessage(Text), FinishReason ?? "stop")], Usage);

    private IReadOnlyList<ChatCompletionChunk> Said(JsonElement output)
    {
        var stream = String(output, "stream");
        if (String(output, "text") is not { } said) return [];
        if (shell)
            return stream is "stdout" or "stderr" ? Add(said + "\n") : [];
        if (stream != "text") return [];
        if (output.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.True)
        {
            var chunks = Add((blockSaid.Length == 0 && anyBlock ? "\n\n" : "") + said);
            blockSaid += said;
            anyBlock = true;
            return chunks;
        }
        // The complete block: what its fragments said already is not said again.
        var rest = said.StartsWith(blockSaid, StringComparison.Ordinal) ? said[blockSaid.Length..] : "";
        var separator = blockSaid.Length == 0 && anyBlock ? "\n\n" : "";
        blockSaid = "";
        anyBlock = true;
        return rest.Length == 0 ? [] : Add(separator + rest);
    }

    private IReadOnlyList<ChatCompletionChunk> Completed(JsonElement ending)
    {
        Ended = true;
        if (ending.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object &&
            usage.Deserialize<TokenUsage>(ProtocolJson.Options) is { } tokens)
            Usage = new ChatUsage(tokens.InputTokens + tokens.CacheCreationInputTokens + tokens.CacheReadInputTokens, tokens.OutputTokens);
        var outcome = String(ending, "outcome");
        FinishReason = outcome switch
        {
            TurnOutcomes.Success or TurnOutcomes.Interrupted => "stop",
            TurnOutcomes.MaxTurns => "length",
            _ => null,
        };
        if (FinishReason is null)
        {
            var reason = String(ending, "reason") is { } why ? $": {why}" : "";
            Failure = OpenAiError.Of($"The agent's turn {turn} ended with outcome '{outcome ?? "unknown"}'{reason}.", OpenAiError.ServerError, "turn_failed");
            return [];
        }
        List<ChatCompletionChunk> chunks = [.. Role(), Chunk(new ChunkChoice(0, new ChunkDelta(), FinishReason))];
        if (includeUsage) chunks.Add(new ChatCompletionChunk(id, created, model, [], Usage));
        return chunks;
    }

    private IReadOnlyList<ChatCompletionChunk> Ending(SessionEvent e)
    {
        using var document = Parse(e.Payload);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } payload || String(payload, "status") != "terminated") return [];
        Ended = true;
        var reason = String(payload, "reason") ?? "unknown";
        Failure = OpenAiError.Of($"The session ended (reason '{reason}') before turn {turn} did.", OpenAiError.ServerError, "session_terminated");
        return [];
    }

    private IReadOnlyList<ChatCompletionChunk> Add(string delta)
    {
        text.Append(delta);
        return [.. Role(), Chunk(new ChunkChoice(0, new ChunkDelta(Content: delta)))];
    }

    /// <summary>The first chunk of an answer names the role, as OpenAI's do.</summary>
    private IEnumerable<ChatCompletionChunk> Role()
    {
        if (roleSent) yield break;
        roleSent = true;
        yield return Chunk(new ChunkChoice(0, new ChunkDelta(Role: "assistant", Content: "")));
    }

    private ChatCompletionChunk Chunk(ChunkChoice choice) => new(id, created, model, [choice]);

    private static JsonDocument? Parse(string payload)
    {
        try { return JsonDocument.Parse(payload); }
        catch (JsonException) { return null; } // an agent's malformed payload says nothing here
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions.Turns;

namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// One turn of a session read as an OpenAI answer: each event of the session's log in, the chunks it adds out. The
/// assistant's text is the turn's answer as <see cref="TurnReader"/> reads it (model text, or a shell's output lines;
/// never the agent's own tool calls, which are not OpenAI tool calls). The turn finishes with <c>stop</c>, or
/// <c>length</c> when it ran out of model turns; an error outcome, or the session ending first, is a
/// <see cref="Failure"/>. No I/O: the adapter feeds it.
/// </summary>
public sealed class ChatTurnTranslator(string id, long created, string model, TurnReader turn, bool includeUsage)
{
    private bool roleSent;

    /// <summary>The turn has ended (finished or failed): no more chunks come.</summary>
    public bool Ended { get; private set; }

    /// <summary>Why the turn failed (an error outcome, or the session ended before the turn did); null otherwise.</summary>
    public OpenAiError? Failure { get; private set; }

    public string? FinishReason { get; private set; }

    public ChatUsage Usage { get; private set; } = new(0, 0);

    /// <summary>All the assistant's text so far: a non-streamed answer's content.</summary>
    public string Text => turn.Text;

    /// <summary>The chunks <paramref name="e"/> adds to the answer: none, text deltas, or the finish (and usage) chunks.</summary>
    public IReadOnlyList<ChatCompletionChunk> Observe(SessionEvent e)
    {
        if (Ended) return [];
        if (turn.Observe(e) is { } added)
            return [.. Role(), Chunk(new ChunkChoice(0, new ChunkDelta(Content: added)))];
        return turn.Ended ? Finished() : [];
    }

    /// <summary>The answer of a non-streamed request, once the turn has finished without failure.</summary>
    public ChatCompletion Completion() =>
        new(id, created, model, [new ChatChoice(0, new AssistantMessage(Text), FinishReason ?? "stop")], Usage);

    private IReadOnlyList<ChatCompletionChunk> Finished()
    {
        Ended = true;
        if (turn.SessionEnded)
        {
            Failure = OpenAiError.Of($"The session ended (reason '{turn.Reason}') before turn {turn.Turn} did.", OpenAiError.ServerError, "session_terminated");
            return [];
        }
        if (turn.Usage is { } tokens)
            Usage = new ChatUsage(tokens.InputTokens + tokens.CacheCreationInputTokens + tokens.CacheReadInputTokens, tokens.OutputTokens);
        FinishReason = turn.Outcome switch
        {
            TurnOutcomes.Success or TurnOutcomes.Interrupted => "stop",
            TurnOutcomes.MaxTurns => "length",
            _ => null,
        };
        if (FinishReason is null)
        {
            var reason = turn.Reason is { } why ? $": {why}" : "";
            Failure = OpenAiError.Of($"The agent's turn {turn.Turn} ended with outcome '{turn.Outcome}'{reason}.", OpenAiError.ServerError, "turn_failed");
            return [];
        }
        List<ChatCompletionChunk> chunks = [.. Role(), Chunk(new ChunkChoice(0, new ChunkDelta(), FinishReason))];
        if (includeUsage) chunks.Add(new ChatCompletionChunk(id, created, model, [], Usage));
        return chunks;
    }

    /// <summary>The first chunk of an answer names the role, as OpenAI's do.</summary>
    private IEnumerable<ChatCompletionChunk> Role()
    {
        if (roleSent) yield break;
        roleSent = true;
        yield return Chunk(new ChunkChoice(0, new ChunkDelta(Role: "assistant", Content: "")));
    }

    private ChatCompletionChunk Chunk(ChunkChoice choice) => new(id, created, model, [choice]);
}

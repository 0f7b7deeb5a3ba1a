namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// One SSE frame of a <c>stream: true</c> answer: OpenAI's <c>chat.completion.chunk</c>. Every chunk of one answer has
/// the same id, created and model; the last one before <c>[DONE]</c> carries only <see cref="Usage"/> (no choices)
/// when the request asked for it with <c>stream_options.include_usage</c>.
/// </summary>
public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChunkChoice> Choices, ChatUsage? Usage = null)
{
    public string Object => "chat.completion.chunk";
}

/// <param name="FinishReason">Null (left out) until the last choice chunk: <c>stop</c>, or <c>length</c> when the turn ran out of model turns.</param>
public sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason = null);

/// <summary>What the chunk adds: the role once, first, then the assistant's text as it comes.</summary>
public sealed record ChunkDelta(string? Role = null, string? Content = null);

using System.Text.Json;

namespace AgentCluster.Tests.Fakes;

/// <summary>
/// One scripted answer of <see cref="FakeAnthropic"/> to one conversation request: a message (text, tool uses),
/// a message that streams some text and then holds the response open, or an API error. The token counts are
/// what the answer's <c>usage</c> reports, the text deltas how its text streams; change them with
/// <c>with { InputTokens = … }</c>.
/// </summary>
public abstract record Reply
{
    public long InputTokens { get; init; } = 100;
    public long OutputTokens { get; init; } = 20;
    public long CacheCreationInputTokens { get; init; }
    public long CacheReadInputTokens { get; init; }

    /// <summary>Into how many <c>text_delta</c> events each streamed text block is cut (the real API sends a few tokens each).</summary>
    public int TextDeltas { get; init; } = 3;

    /// <summary>A final answer streamed in <paramref name="deltas"/> text deltas.</summary>
    public static MessageReply StreamedText(string text, int deltas) => Text(text) with { TextDeltas = deltas };

    /// <summary>A final answer: one text block, <c>stop_reason: end_turn</c>.</summary>
    public static MessageReply Text(string text) => new([new TextBlock(text)], "end_turn");

    /// <summary>
    /// A tool call: <c>stop_reason: tool_use</c>, the input streamed as several <c>input_json_delta</c> chunks.
    /// </summary>
    /// <param name="input">Serialized as the tool's input object (e.g. <c>new { command = "ls" }</c>).</param>
    /// <param name="text">Text the model says before the call, as its own block.</param>
    /// <param name="id">The tool_use id; a fresh <c>toolu_…</c> when not given.</param>
    public static MessageReply ToolUse(string name, object input, string? text = null, string? id = null)
    {
        var call = new ToolUseBlock(id ?? "toolu_" + Guid.NewGuid().ToString("N")[..24], name, JsonSerializer.Serialize(input));
        return new MessageReply(text is null ? [call] : [new TextBlock(text), call], "tool_use");
    }

    /// <summary>Streams <paramref name="text"/>, then holds the response open until released or the client goes away.</summary>
    public static HeldReply Held(string text) => new(text);

    /// <summary>An HTTP error with Anthropic's error body (<c>{"type":"error","error":{"type","message"}}</c>).</summary>
    public static ErrorReply Error(int status, string type, string message) => new(status, type, message);
}

/// <summary>A content block of a scripted message.</summary>
public abstract record ReplyBlock;

public sealed record TextBlock(string Text) : ReplyBlock;

/// <param name="InputJson">The tool's input as JSON text.</param>
public sealed record ToolUseBlock(string Id, string Name, string InputJson) : ReplyBlock;

/// <summary>A complete assistant message.</summary>
/// <param name="StopReason"><c>end_turn</c>, <c>tool_use</c>, <c>max_tokens</c>, ….</param>
public sealed record MessageReply(IReadOnlyList<ReplyBlock> Blocks, string StopReason) : Reply
{
    /// <summary>The id of the message's (first) tool call, to find its tool_result in a later request.</summary>
    public string? ToolUseId => Blocks.OfType<ToolUseBlock>().FirstOrDefault()?.Id;
}

public sealed record ErrorReply(int Status, string Type, string Message) : Reply;

/// <summary>
/// A response that starts streaming (message_start, a text block with <see cref="Streamed"/>) and then waits: for
/// <see cref="Release"/> (the message then ends normally, <c>end_turn</c>) or for the client to disconnect,
/// as a CLI that is interrupted mid-answer does.
/// </summary>
public sealed record HeldReply(string Streamed) : Reply
{
    private readonly TaskCompletionSource holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the text was sent and the response is being held.</summary>
    public Task Holding => holding.Task;

    /// <summary>Completes when the client went away while the response was held.</summary>
    public Task Disconnected => disconnected.Task;

    public void Release() => released.TrySetResult();

    internal void OnHolding() => holding.TrySetResult();

    internal void OnDisconnected() => disconnected.TrySetResult();

    /// <returns>True when released, false when the client went away (or the fake stopped).</returns>
    internal async Task<bool> WaitAsync(CancellationToken aborted)
    {
        try
        {
            await released.Task.WaitAsync(aborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

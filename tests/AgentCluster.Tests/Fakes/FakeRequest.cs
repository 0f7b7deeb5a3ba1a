using System.Text.Json;

namespace AgentCluster.Tests.Fakes;

/// <summary>A request <see cref="FakeAnthropic"/> received, with its parsed body, so a test can assert what the model saw.</summary>
/// <param name="Path">The path and query (e.g. <c>/v1/messages?beta=true</c>).</param>
/// <param name="ApiKey">The key the client presented (<c>x-api-key</c> or <c>Authorization: Bearer</c>), or null.</param>
/// <param name="Body">The JSON body; <c>default</c> (Undefined) when there was none or it was not JSON.</param>
/// <param name="IsConversation">
/// A main-conversation Messages request, answered from the script: one that offers <c>tools</c>. Side requests
/// (a title or topic, a quota probe) offer none and get a default answer.
/// </param>
public sealed record FakeRequest(string Method, string Path, string? ApiKey, JsonElement Body, bool IsConversation)
{
    public string? Model => Property("model")?.GetString();
    public int? MaxTokens => Property("max_tokens")?.GetInt32();
    public bool Stream => Property("stream")?.ValueKind == JsonValueKind.True;

    /// <summary>The system prompt as text: a string, or the text of its blocks, one per line.</summary>
    public string System => Property("system") is { } system ? TextOf(system) : "";

    public IReadOnlyList<JsonElement> Messages => Property("messages") is { ValueKind: JsonValueKind.Array } messages ? [.. messages.EnumerateArray()] : [];

    public IReadOnlyList<string> ToolNames => Property("tools") is { ValueKind: JsonValueKind.Array } tools
        ? [.. tools.EnumerateArray().Select(t => t.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "")]
        : [];

    /// <summary>Every text the messages carry (text blocks, tool_result contents), one per line: for "the model saw X".</summary>
    public string MessagesText => string.Join("\n", Messages.Select(m => m.TryGetProperty("content", out var content) ? TextOf(content) : ""));

    /// <summary>The tool_result blocks of the messages, in order.</summary>
    public IReadOnlyList<FakeToolResult> ToolResults =>
    [
        .. from message in Messages
           where message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
           from block in message.GetProperty("content").EnumerateArray()
           where Type(block) == "tool_result"
           select new FakeToolResult(
               block.GetProperty("tool_use_id").GetString()!,
               block.TryGetProperty("content", out var result) ? TextOf(result) : "",
               block.TryGetProperty("is_error", out var error) && error.ValueKind == JsonValueKind.True),
    ];

    private JsonElement? Property(string name) =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var value) ? value : null;

    /// <summary>A string, or the text of an array of blocks (text blocks and the contents of tool_result blocks).</summary>
    private static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Join("\n", content.EnumerateArray().Select(block => Type(block) switch
        {
            "text" => block.GetProperty("text").GetString()!,
            "tool_result" when block.TryGetProperty("content", out var inner) => TextOf(inner),
            _ => "",
        }).Where(text => text.Length > 0)),
        _ => "",
    };

    private static string? Type(JsonElement block) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var type) ? type.GetString() : null;
}

/// <summary>A tool_result block the client sent back.</summary>
public sealed record FakeToolResult(string ToolUseId, string Content, bool IsError);

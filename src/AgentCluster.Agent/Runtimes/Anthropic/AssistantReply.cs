using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>One streamed reply of the model, put together: what goes into the conversation and what the loop acts on.</summary>
/// <param name="Content">The reply's text and tool_use blocks, as the Messages API writes them.</param>
/// <param name="StopReason">Why the model stopped (<c>end_turn</c>, <c>tool_use</c>, …); null if the stream ended without saying.</param>
internal sealed record AssistantReply(JsonArray Content, string? StopReason, TokenUsage Usage, IReadOnlyList<ToolCall> ToolCalls);

/// <summary>A tool_use block of a reply.</summary>
/// <param name="Input">The tool's input object.</param>
internal sealed record ToolCall(string Id, string Name, JsonNode Input);

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using Anthropic.Models.Messages;

namespace AgentCluster.Agent.Runtimes.Anthropic;

/// <summary>
/// Reads a Messages API stream into an <see cref="AssistantReply"/>, telling the session as it goes: text as it
/// streams (TextDelta), each text block's whole text once the block is complete, each tool call once its input is.
/// </summary>
internal sealed class ReplyReader(ITurnEvents events)
{
    private readonly SortedDictionary<long, Block> blocks = [];
    private readonly List<ToolCall> calls = [];
    private TokenUsage usage = new(0, 0);
    private string? stopReason;

    public static async Task<AssistantReply> ReadAsync(IAsyncEnumerable<RawMessageStreamEvent> stream, ITurnEvents events, CancellationToken cancellationToken)
    {
        var reader = new ReplyReader(events);
        await foreach (var streamEvent in stream.WithCancellation(cancellationToken))
            reader.On(streamEvent);
        return reader.Reply();
    }

    private void On(RawMessageStreamEvent streamEvent)
    {
        if (streamEvent.TryPickStart(out var start))
        {
            var started = start.Message.Usage;
            usage = new TokenUsage(started.InputTokens, started.OutputTokens, started.CacheCreationInputTokens ?? 0, started.CacheReadInputTokens ?? 0);
        }
        else if (streamEvent.TryPickContentBlockStart(out var blockStart))
        {
            if (blockStart.ContentBlock.TryPickText(out var text))
            {
                blocks[blockStart.Index] = new Block(new StringBuilder(text.Text));
                // The start's text is empty as the API sends it, but would be the block's first words if not.
                if (text.Text.Length > 0) events.TextDelta(text.Text);
            }
            else if (blockStart.ContentBlock.TryPickToolUse(out var toolUse)) blocks[blockStart.Index] = new Block(new StringBuilder(), toolUse.ID, toolUse.Name);
            // Other blocks (thinking, server tools) are not asked for, and not kept.
        }
        else if (streamEvent.TryPickContentBlockDelta(out var delta) && blocks.TryGetValue(delta.Index, out var block))
        {
            if (delta.Delta.TryPickText(out var text))
            {
                block.Text.Append(text.Text);
                events.TextDelta(text.Text);
            }
            else if (delta.Delta.TryPickInputJson(out var json)) block.Text.Append(json.PartialJson);
        }
        else if (streamEvent.TryPickContentBlockStop(out var stop) && blocks.TryGetValue(stop.Index, out var stopped))
        {
            Tell(stopped);
        }
        else if (streamEvent.TryPickDelta(out var messageDelta))
        {
            stopReason = messageDelta.Delta.StopReason?.Raw() ?? stopReason;
            var final = messageDelta.Usage;
            usage = new TokenUsage(
                final.InputTokens ?? usage.InputTokens,
                final.OutputTokens,
                final.CacheCreationInputTokens ?? usage.CacheCreationInputTokens,
                final.CacheReadInputTokens ?? usage.CacheReadInputTokens);
        }
    }

    private void Tell(Block block)
    {
        if (block.ToolName is null)
        {
            if (block.Text.Length > 0) events.Output(OutputStreams.Text, block.Text.ToString());
            return;
        }
        var call = new ToolCall(block.ToolId!, block.ToolName, ParseInput(block.Text.ToString()));
        calls.Add(call);
        events.ToolUse(call.Id, call.Name, AnthropicJson.Text(call.Input));
    }

    private AssistantReply Reply()
    {
        var content = new JsonArray();
        // A block the stream cut off (max_tokens mid-call) is kept as far as it came: its tool_use gets an error result.
        foreach (var block in blocks.Values)
        {
            if (block.ToolName is null)
            {
                if (block.Text.Length > 0) content.Add((JsonNode)new JsonObject { ["type"] = "text", ["text"] = block.Text.ToString() });
                continue;
            }
            var input = calls.FirstOrDefault(c => c.Id == block.ToolId)?.Input.DeepClone() ?? ParseInput(block.Text.ToString());
            content.Add((JsonNode)new JsonObject { ["type"] = "tool_use", ["id"] = block.ToolId, ["name"] = block.ToolName, ["input"] = input });
        }
        return new AssistantReply(content, stopReason, usage, calls);
    }

    /// <summary>The input's JSON, streamed in pieces; an empty or cut-off input reads as no fields.</summary>
    private static JsonNode ParseInput(string json)
    {
        try
        {
            return JsonNode.Parse(json.Length == 0 ? "{}" : json) as JsonObject ?? new JsonObject();
        }
        catch (JsonException)
        {
            return new JsonObject();
        }
    }

    private sealed class Block(StringBuilder text, string? toolId = null, string? toolName = null)
    {
        public StringBuilder Text { get; } = text;
        public string? ToolId { get; } = toolId;
        public string? ToolName { get; } = toolName;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.Tests.Fakes;

/// <summary>
/// The Messages API's wire format for a scripted reply: a JSON Message, or the stream of Server-Sent Events
/// (message_start, ping, content_block_start/delta/stop, message_delta, message_stop) the API sends for
/// <c>"stream": true</c>, text and tool input cut into several deltas as the real API does (the text as slowly
/// as the reply says: <see cref="Reply.TextDeltas"/>).
/// </summary>
internal static class MessagesWire
{
    public static JsonObject Message(string id, string model, MessageReply reply) => new()
    {
        ["id"] = id,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = new JsonArray([.. reply.Blocks.Select(Block)]),
        ["stop_reason"] = reply.StopReason,
        ["stop_sequence"] = null,
        ["usage"] = Usage(reply, reply.OutputTokens),
    };

    public static JsonObject Error(string type, string message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
    };

    public static async Task StreamAsync(HttpResponse response, string id, string model, MessageReply reply, CancellationToken cancellationToken)
    {
        await StartAsync(response, id, model, reply, cancellationToken);
        for (var index = 0; index < reply.Blocks.Count; index++)
        {
            var block = reply.Blocks[index];
            await BlockStartAsync(response, index, block, cancellationToken);
            await DeltasAsync(response, index, block, reply, cancellationToken);
            await BlockStopAsync(response, index, cancellationToken);
        }
        await EndAsync(response, reply, reply.StopReason, cancellationToken);
    }

    /// <summary>Streams the held text, then waits; ends the message only when released.</summary>
    public static async Task StreamHeldAsync(HttpResponse response, string id, string model, HeldReply reply, CancellationToken aborted)
    {
        var text = new TextBlock(reply.Streamed);
        await StartAsync(response, id, model, reply, aborted);
        await BlockStartAsync(response, 0, text, aborted);
        await DeltasAsync(response, 0, text, reply, aborted);
        reply.OnHolding();
        if (!await reply.WaitAsync(aborted))
        {
            reply.OnDisconnected();
            return;
        }
        await BlockStopAsync(response, 0, aborted);
        await EndAsync(response, reply, "end_turn", aborted);
    }

    private static async Task StartAsync(HttpResponse response, string id, string model, Reply reply, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var message = new JsonObject
        {
            ["id"] = id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = new JsonArray(),
            ["stop_reason"] = null,
            ["stop_sequence"] = null,
            ["usage"] = Usage(reply, outputTokens: 1),
        };
        await EventAsync(response, "message_start", new JsonObject { ["message"] = message }, cancellationToken);
        await EventAsync(response, "ping", [], cancellationToken);
    }

    private static Task BlockStartAsync(HttpResponse response, int index, ReplyBlock block, CancellationToken cancellationToken)
    {
        // The start carries the block's shell; its text or input follows in deltas.
        JsonObject shell = block switch
        {
            TextBlock => new() { ["type"] = "text", ["text"] = "" },
            ToolUseBlock call => new() { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = new JsonObject() },
            _ => throw new ArgumentOutOfRangeException(nameof(block)),
        };
        return EventAsync(response, "content_block_start", new JsonObject { ["index"] = index, ["content_block"] = shell }, cancellationToken);
    }

    private static async Task DeltasAsync(HttpResponse response, int index, ReplyBlock block, Reply reply, CancellationToken cancellationToken)
    {
        foreach (var delta in Deltas(block, reply.TextDeltas))
        {
            await EventAsync(response, "content_block_delta", new JsonObject { ["index"] = index, ["delta"] = delta }, cancellationToken);
        }
    }

    private static Task BlockStopAsync(HttpResponse response, int index, CancellationToken cancellationToken) =>
        EventAsync(response, "content_block_stop", new JsonObject { ["index"] = index }, cancellationToken);

    private static async Task EndAsync(HttpResponse response, Reply reply, string stopReason, CancellationToken cancellationToken)
    {
        var delta = new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = reply.OutputTokens },
        };
        await EventAsync(response, "message_delta", delta, cancellationToken);
        await EventAsync(response, "message_stop", [], cancellationToken);
    }

    private static IEnumerable<JsonObject> Deltas(ReplyBlock block, int textDeltas) => block switch
    {
        TextBlock text => Pieces(text.Text, textDeltas).Select(piece => new JsonObject { ["type"] = "text_delta", ["text"] = piece }),
        // The API's first input delta is often empty; clients must concatenate before parsing.
        ToolUseBlock call => Pieces(call.InputJson, 3).Prepend("")
            .Select(piece => new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece }),
        _ => throw new ArgumentOutOfRangeException(nameof(block)),
    };

    /// <summary>At most <paramref name="count"/> non-empty pieces that concatenate to <paramref name="text"/>.</summary>
    private static IEnumerable<string> Pieces(string text, int count)
    {
        var size = Math.Max(1, (text.Length + count - 1) / count);
        for (var start = 0; start < text.Length; start += size)
            yield return text.Substring(start, Math.Min(size, text.Length - start));
    }

    private static JsonObject Usage(Reply reply, long outputTokens) => new()
    {
        ["input_tokens"] = reply.InputTokens,
        ["cache_creation_input_tokens"] = reply.CacheCreationInputTokens,
        ["cache_read_input_tokens"] = reply.CacheReadInputTokens,
        ["output_tokens"] = outputTokens,
    };

    private static async Task EventAsync(HttpResponse response, string type, JsonObject data, CancellationToken cancellationToken)
    {
        data.Insert(0, "type", type);
        await response.WriteAsync($"event: {type}\ndata: {data.ToJsonString()}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static JsonNode Block(ReplyBlock block) => block switch
    {
        TextBlock text => new JsonObject { ["type"] = "text", ["text"] = text.Text },
        ToolUseBlock call => new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = JsonNode.Parse(call.InputJson) },
        _ => throw new ArgumentOutOfRangeException(nameof(block)),
    };
}

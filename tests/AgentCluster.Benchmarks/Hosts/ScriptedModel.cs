using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>
/// A Messages API on loopback, in the harness's process (so that when it wrote an answer's first delta is a
/// timestamp on the harness's clock), that answers every conversation request (one that offers tools, as both
/// model runtimes' do) with the same text in <see cref="Pieces"/> <c>text_delta</c> events: each after
/// <see cref="Pause"/> (the workload: a model writing at that pace), and, with <see cref="HoldsRest"/>, the rest of
/// every streamed answer to a request that offers no tools (the harness's own calls, not a runtime's) held back after its first text until the caller has read that text and calls
/// <see cref="ReleaseRest"/> (so that a relay that buffered would never deliver the first token: the caller's wait for it
/// fails instead). Side requests (the CLI's, without tools) get a short text at once; <c>count_tokens</c> a
/// count; anything else 404.
/// </summary>
public sealed class ScriptedModel : FakeHttpServer
{
    public const string ApiKey = "sk-ant-bench-scripted";

    private readonly SemaphoreSlim rest = new(0);
    private long firstDeltaAt;

    private ScriptedModel(string answer, int pieces, TimeSpan pause, bool holdsRest)
    {
        Answer = answer;
        Pieces = pieces;
        Pause = pause;
        HoldsRest = holdsRest;
    }

    public string Answer { get; }

    public int Pieces { get; }

    public TimeSpan Pause { get; }

    public bool HoldsRest { get; }

    /// <summary>A node's settings for agents whose model is this one.</summary>
    public IReadOnlyDictionary<string, string> NodeSettings() => new Dictionary<string, string>
    {
        ["ANTHROPIC_API_KEY"] = ApiKey,
        ["ANTHROPIC_BASE_URL"] = Url.ToString().TrimEnd('/'),
    };

    /// <summary>Lets one held answer go on past its first text.</summary>
    public void ReleaseRest() => rest.Release();

    /// <summary>The Stopwatch timestamp at which the latest answer's first text delta was written.</summary>
    public long FirstDeltaAt => Interlocked.Read(ref firstDeltaAt);

    /// <param name="pause">Before each piece of a conversation's answer.</param>
    /// <param name="holdsRest">Every streamed answer waits after its first piece for <see cref="ReleaseRest"/>.</param>
    public static Task<ScriptedModel> StartAsync(string answer, int pieces, TimeSpan pause = default, bool holdsRest = false) =>
        StartAsync(new ScriptedModel(answer, pieces, pause, holdsRest));

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v1/messages/count_tokens", () => Results.Json(new { input_tokens = 100 }));
        app.MapPost("/v1/messages", AnswerAsync);
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (context.Request.Headers["x-api-key"] != ApiKey && context.Request.Headers.Authorization != $"Bearer {ApiKey}")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { type = "error", error = new { type = "authentication_error", message = "invalid x-api-key" } });
            return;
        }
        var conversation = body.RootElement.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        var (text, pieces, pause) = conversation ? (Answer, Pieces, Pause) : ("OK", 2, TimeSpan.Zero);
        var model = body.RootElement.TryGetProperty("model", out var m) ? m.GetString() : "scripted";
        if (!body.RootElement.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
        {
            await context.Response.WriteAsJsonAsync(Message(model, text));
            return;
        }

        var aborted = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        var shell = Message(model, "");
        shell["content"] = new JsonArray();
        shell["stop_reason"] = null;
        await EventAsync(context.Response, "message_start", new JsonObject { ["message"] = shell }, aborted);
        await EventAsync(context.Response, "content_block_start", new JsonObject { ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }, aborted);
        var size = (text.Length + pieces - 1) / pieces;
        for (var start = 0; start < text.Length; start += size)
        {
            // The workload's pace, not a wait for anything: what first-text measures is how the agent coalesces words that come this fast.
            if (pause > TimeSpan.Zero) await Task.Delay(pause, aborted);
            if (start == 0 && conversation) Interlocked.Exchange(ref firstDeltaAt, Stopwatch.GetTimestamp());
            var delta = new JsonObject { ["type"] = "text_delta", ["text"] = text.Substring(start, Math.Min(size, text.Length - start)) };
            await EventAsync(context.Response, "content_block_delta", new JsonObject { ["index"] = 0, ["delta"] = delta }, aborted);
            // The model still generating, until the caller has the first text (only the harness's own calls: no tools offered).
            if (start == 0 && HoldsRest && !conversation) await rest.WaitAsync(aborted);
        }
        await EventAsync(context.Response, "content_block_stop", new JsonObject { ["index"] = 0 }, aborted);
        await EventAsync(context.Response, "message_delta", new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = 20 },
        }, aborted);
        await EventAsync(context.Response, "message_stop", [], aborted);
    }

    private static JsonObject Message(string? model, string text) => new()
    {
        ["id"] = "msg_bench_" + Guid.NewGuid().ToString("N")[..16],
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
        ["stop_reason"] = "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject { ["input_tokens"] = 100, ["output_tokens"] = 20, ["cache_creation_input_tokens"] = 0, ["cache_read_input_tokens"] = 0 },
    };

    private static async Task EventAsync(HttpResponse response, string type, JsonObject data, CancellationToken cancellationToken)
    {
        data.Insert(0, "type", type);
        await response.WriteAsync($"event: {type}\ndata: {data.ToJsonString()}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}

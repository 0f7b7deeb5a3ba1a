using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.Tests.Fakes;

/// <summary>
/// A scripted stand-in for Anthropic's Messages API, on 127.0.0.1 and a free port, speaking its wire format:
/// <list type="bullet">
/// <item><c>POST /v1/messages</c> (any query, e.g. <c>?beta=true</c>): SSE for <c>"stream": true</c>, else a JSON Message</item>
/// <item><c>POST /v1/messages/count_tokens</c>: <c>{"input_tokens": N}</c>, N about a token per 4 bytes of body</item>
/// <item>anything else: 404 with Anthropic's error body</item>
/// </list>
/// Every API call must present <see cref="ApiKey"/> (<c>x-api-key</c> or <c>Authorization: Bearer</c>),
/// else 401 <c>authentication_error</c>. Every request is recorded (<see cref="Requests"/>).
/// <para>
/// Conversation requests are answered from the script: the queued <see cref="Reply"/> steps in order, then the
/// <see cref="Script(Func{FakeRequest, Reply})"/> responder, else 400 "script exhausted". A conversation request
/// is one that offers <c>tools</c>: Claude Code sends its tool list with every turn of the conversation, while
/// its side requests (a title or topic for the session, a quota probe) offer none. Those get a harmless text
/// answer without consuming the script, so a test scripts only the conversation it means.
/// </para>
/// </summary>
public sealed class FakeAnthropic : FakeHttpServer
{
    public const string DefaultApiKey = "sk-ant-fake-test-key";

    private readonly Lock gate = new();
    private readonly Queue<Reply> steps = [];
    private readonly List<FakeRequest> requests = [];
    private readonly CancellationTokenSource stopping = new();
    private Func<FakeRequest, Reply>? responder;
    private int messages;

    private FakeAnthropic(string apiKey) => ApiKey = apiKey;

    /// <summary>The key every call must present.</summary>
    public string ApiKey { get; }

    /// <summary>Every request received, in order, side requests and refused ones included.</summary>
    public IReadOnlyList<FakeRequest> Requests { get { lock (gate) return requests.ToList(); } }

    /// <summary>The conversation requests only (those answered from the script).</summary>
    public IReadOnlyList<FakeRequest> Conversation => Requests.Where(r => r.IsConversation).ToList();

    /// <summary>Queued steps not used yet.</summary>
    public int Pending { get { lock (gate) return steps.Count; } }

    /// <summary>Starts the fake; its <see cref="FakeHttpServer.Url"/> is the base URL to give a client (ANTHROPIC_BASE_URL).</summary>
    public static Task<FakeAnthropic> StartAsync(string apiKey = DefaultApiKey) => StartAsync(new FakeAnthropic(apiKey));

    protected override void Map(WebApplication app) => app.Run(HandleAsync);

    /// <summary>Queues answers for the next conversation requests, in order.</summary>
    public void Script(params Reply[] replies)
    {
        lock (gate) foreach (var reply in replies) steps.Enqueue(reply);
    }

    /// <summary>Answers conversation requests once the queued steps are used up (e.g. from the request's history).</summary>
    public void Script(Func<FakeRequest, Reply> respond)
    {
        lock (gate) responder = respond;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await ReadJsonAsync(request);
        var path = request.Path.Value ?? "";
        var isMessages = HttpMethods.IsPost(request.Method) && path == "/v1/messages";
        var isCountTokens = HttpMethods.IsPost(request.Method) && path == "/v1/messages/count_tokens";
        var recorded = new FakeRequest(request.Method, path + request.QueryString, PresentedKey(request), body, isMessages && OffersTools(body));
        lock (gate) requests.Add(recorded);

        context.Response.Headers["request-id"] = "req_fake_" + Guid.NewGuid().ToString("N")[..16];
        if (!isMessages && !isCountTokens)
        {
            await ErrorAsync(context, Reply.Error(404, "not_found_error", $"Not found: {request.Method} {path}"));
            return;
        }
        if (recorded.ApiKey != ApiKey)
        {
            await ErrorAsync(context, Reply.Error(401, "authentication_error", "invalid x-api-key"));
            return;
        }
        if (isCountTokens)
        {
            await context.Response.WriteAsync(new JsonObject { ["input_tokens"] = Math.Max(1, (request.ContentLength ?? 4) / 4) }.ToJsonString());
            return;
        }
        if (recorded.Model is null || recorded.MaxTokens is null || recorded.Messages.Count == 0)
        {
            await ErrorAsync(context, Reply.Error(400, "invalid_request_error", "model, max_tokens and messages are required"));
            return;
        }
        await AnswerAsync(context, recorded, recorded.IsConversation ? NextStep(recorded) : Reply.Text("OK"));
    }

    private Reply NextStep(FakeRequest request)
    {
        lock (gate)
        {
            if (steps.TryDequeue(out var step)) return step;
            // 400 rather than 5xx: clients retry those, which would hide the missing step behind back-offs.
            return responder?.Invoke(request) ?? Reply.Error(400, "invalid_request_error", "FakeAnthropic: script exhausted, no reply left for this request");
        }
    }

    private async Task AnswerAsync(HttpContext context, FakeRequest request, Reply reply)
    {
        var id = "msg_fake_" + Interlocked.Increment(ref messages);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        try
        {
            switch (reply)
            {
                case ErrorReply error:
                    await ErrorAsync(context, error);
                    break;
                case HeldReply held:
                    await MessagesWire.StreamHeldAsync(context.Response, id, request.Model!, held, aborted.Token);
                    break;
                case MessageReply message when request.Stream:
                    await MessagesWire.StreamAsync(context.Response, id, request.Model!, message, aborted.Token);
                    break;
                case MessageReply message:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(MessagesWire.Message(id, request.Model!, message).ToJsonString(), aborted.Token);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(reply), reply, "not a reply the fake knows");
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away mid-answer: nothing left to send.
        }
    }

    private static async Task ErrorAsync(HttpContext context, ErrorReply error)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        if (!HttpMethods.IsHead(context.Request.Method))
            await context.Response.WriteAsync(MessagesWire.Error(error.Type, error.Message).ToJsonString());
    }

    private static bool OffersTools(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("tools", out var tools)
        && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers["x-api-key"].ToString() is { Length: > 0 } key) return key;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpRequest request)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default; // no body (HEAD, GET) or not JSON
        }
    }

    /// <summary>Held responses end first: they must not keep the stopping server waiting.</summary>
    protected override async ValueTask OnStoppingAsync() => await stopping.CancelAsync();
}

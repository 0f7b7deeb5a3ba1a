using System.Buffers;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Secrets;
using AgentCluster.Silo.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.ModelGateway;

/// <summary>
/// One model call through the gateway: the session checks the caller's model token (and its budget); the request
/// goes upstream as it comes (body streamed, the client's own credential dropped, the real key added); the answer
/// comes back as it comes, each chunk written and flushed the moment it arrives, an SSE stream included, while a
/// <see cref="UsageMeter"/> reads its usage on the way; at its end the session records what the call used (one
/// grain call per response, none per chunk).
/// </summary>
public sealed partial class ModelRelay(
    IHttpClientFactory clients,
    IGrainFactory grains,
    IOptions<ModelOptions> models,
    SessionSecrets secrets,
    SessionMetrics metrics,
    ILogger<ModelRelay> logger)
{
    public const string ClientName = "model-upstream";
    public const string DefaultUpstream = "https://api.anthropic.com";

    /// <summary>The request headers that are the protocol's (the version, beta features, the body's type): the rest stay here.</summary>
    private static readonly string[] ForwardedRequestHeaders = ["anthropic-version", "anthropic-beta", "accept"];

    /// <summary>The response headers a client acts on (its retries, its rate limits, the id to quote to support).</summary>
    private static readonly string[] ForwardedResponseHeaders = ["request-id", "retry-after", "x-should-retry"];

    private const string RateLimitHeaders = "anthropic-ratelimit-";
    private const int ChunkBytes = 16 * 1024;

    public async Task RelayAsync(HttpContext context, string id, string path, bool metered)
    {
        var aborted = context.RequestAborted;
        if (await AuthorizeAsync(context, id) is not { } granted) return;
        var (session, modelToken, apiKey) = granted;

        using var upstream = UpstreamRequest(context.Request, path, apiKey);
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(ClientName).SendAsync(upstream, HttpCompletionOption.ResponseHeadersRead, aborted);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            return; // the caller went away before the model answered
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            LogUpstreamFailed(e, upstream.RequestUri!.GetLeftPart(UriPartial.Authority));
            await AnthropicErrors.WriteAsync(context, StatusCodes.Status502BadGateway, AnthropicErrors.Api,
                "The model gateway could not reach the model API; try again.", retry: true);
            return;
        }

        using (response)
        {
            var meter = metered && response.IsSuccessStatusCode ? UsageMeter.For(response.Content.Headers.ContentType) : null;
            try
            {
                await CopyAsync(response, context, meter, aborted);
            }
            catch (Exception e) when (aborted.IsCancellationRequested || e is IOException or HttpRequestException)
            {
                // The caller went away, or the model's stream broke off: what was relayed stands, and is recorded.
                if (!aborted.IsCancellationRequested) context.Abort();
            }
            finally
            {
                meter?.Complete();
                if (meter?.Usage is { } usage) await RecordAsync(session, modelToken, meter.Model, usage);
            }
        }
    }

    /// <summary>The session's answer to the caller's model token; null when refused, the refusal already written.</summary>
    private async Task<(ISessionGrain Session, string ModelToken, string ApiKey)?> AuthorizeAsync(HttpContext context, string id)
    {
        if (PresentedToken(context.Request) is not { } modelToken)
        {
            await AnthropicErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, AnthropicErrors.Authentication,
                "The model gateway needs the session's model token as x-api-key or 'Authorization: Bearer'.");
            return null;
        }
        try
        {
            var session = grains.Session(SessionIds.Check(id));
            var grant = await session.AuthorizeModelCallAsync(modelToken);
            var apiKey = grant.ProtectedApiKey is { } own ? secrets.Unprotect(own) : models.Value.ApiKey;
            if (string.IsNullOrWhiteSpace(apiKey))
            {
                await AnthropicErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, AnthropicErrors.Authentication,
                    "This node has no model key (ANTHROPIC_API_KEY) and the session brought none.");
                return null;
            }
            return (session, modelToken, apiKey);
        }
        catch (SessionException e)
        {
            var (status, type) = e switch
            {
                { Kind: SessionErrorKind.Forbidden, Field: Cost.ModelBudget.Field } => (StatusCodes.Status403Forbidden, AnthropicErrors.Permission),
                { Kind: SessionErrorKind.Terminated } => (StatusCodes.Status403Forbidden, AnthropicErrors.Permission),
                { Kind: SessionErrorKind.Invalid } => (StatusCodes.Status404NotFound, AnthropicErrors.NotFound),
                // Another session's token, or no such session: the same answer, which says nothing about either.
                _ => (StatusCodes.Status401Unauthorized, AnthropicErrors.Authentication),
            };
            var message = type == AnthropicErrors.Authentication ? $"This is not a model token of session '{id}'." : e.Message;
            await AnthropicErrors.WriteAsync(context, status, type, message);
            return null;
        }
        catch (Exception e) when (ClusterFaults.IsTransient(e))
        {
            await AnthropicErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, AnthropicErrors.Api,
                "The session did not answer in time; try again.", retry: true);
            return null;
        }
    }

    private HttpRequestMessage UpstreamRequest(HttpRequest request, string path, string apiKey)
    {
        var upstream = (models.Value.BaseUrl is { Length: > 0 } configured ? configured : DefaultUpstream).TrimEnd('/');
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri($"{upstream}/{path}{request.QueryString}"))
        {
            Content = new StreamContent(request.Body, ChunkBytes),
        };
        if (request.ContentType is { } type) message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        if (request.ContentLength is { } length) message.Content.Headers.ContentLength = length;
        foreach (var name in ForwardedRequestHeaders)
            if (request.Headers.TryGetValue(name, out var values)) message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        // The caller's credential (the model token) stays here; the real key goes on from here only.
        message.Headers.TryAddWithoutValidation("x-api-key", apiKey);
        return message;
    }

    private static async Task CopyAsync(HttpResponseMessage response, HttpContext context, UsageMeter? meter, CancellationToken aborted)
    {
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } type) target.ContentType = type.ToString();
        if (response.Content.Headers.ContentLength is { } length) target.ContentLength = length;
        foreach (var (name, values) in response.Headers)
            if (ForwardedResponseHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) || name.StartsWith(RateLimitHeaders, StringComparison.OrdinalIgnoreCase))
                target.Headers[name] = values.ToArray();
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await target.StartAsync(aborted);

        await using var body = await response.Content.ReadAsStreamAsync(aborted);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, ChunkBytes), aborted)) > 0)
            {
                await target.Body.WriteAsync(buffer.AsMemory(0, read), aborted);
                await target.Body.FlushAsync(aborted); // each event on to the client now, not when a buffer fills
                meter?.Observe(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task RecordAsync(ISessionGrain session, string modelToken, string? model, TokenUsage usage)
    {
        metrics.ModelTokens(ModelPrices.Family(model), usage);
        try
        {
            await session.RecordModelUsageAsync(modelToken, model, usage);
        }
        catch (Exception e)
        {
            // The answer has gone to the caller already; a usage the session could not take is logged, not thrown.
            LogUsageNotRecorded(e, usage.InputTokens, usage.OutputTokens);
        }
    }

    private static string? PresentedToken(HttpRequest request)
    {
        if (request.Headers["x-api-key"].ToString() is { Length: > 0 } key) return key.Trim();
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7 ? authorization[7..].Trim() : null;
    }

    [LoggerMessage(7000, LogLevel.Warning, "Model gateway: the model API at {Upstream} did not answer")]
    private partial void LogUpstreamFailed(Exception exception, string upstream);

    [LoggerMessage(7001, LogLevel.Warning, "Model gateway: a call's usage ({InputTokens} input, {OutputTokens} output tokens) was not recorded")]
    private partial void LogUsageNotRecorded(Exception exception, long inputTokens, long outputTokens);
}

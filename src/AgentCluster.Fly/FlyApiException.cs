using System.Net;
using System.Text.Json;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Json;
using AgentCluster.Fly.Models;

namespace AgentCluster.Fly;

/// <summary>Any non-success answer of the Machines API, with Fly's own message and request id.</summary>
public sealed class FlyApiException : Exception
{
    public FlyApiException(
        HttpStatusCode statusCode, string flyMessage, string? errorStatus, string? requestId,
        TimeSpan? retryAfter, HttpMethod? method, Uri? requestUri)
        : base($"Fly Machines API {method} {requestUri?.AbsolutePath} answered {(int)statusCode} {statusCode}: {flyMessage}"
               + (requestId is null ? "" : $" (fly-request-id {requestId})"))
    {
        StatusCode = statusCode;
        FlyMessage = flyMessage;
        ErrorStatus = errorStatus;
        RequestId = requestId;
        RetryAfter = retryAfter;
        Kind = Classify(statusCode, flyMessage);
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary><c>message ?? error ?? raw body</c>, as fly-go reads it.</summary>
    public string FlyMessage { get; }

    /// <summary>The body's <c>status</c> code when given: "insufficient_capacity", "name_taken", "unknown".</summary>
    public string? ErrorStatus { get; }

    /// <summary>The <c>fly-request-id</c> response header.</summary>
    public string? RequestId { get; }

    public TimeSpan? RetryAfter { get; }

    public FlyErrorKind Kind { get; }

    /// <summary>408, 429 and 5xx: trying again later may succeed (but a 408 on create is ambiguous).</summary>
    public bool IsTransient => Kind is FlyErrorKind.Timeout or FlyErrorKind.RateLimited or FlyErrorKind.ServerError;

    public bool IsInsufficientCapacity => ErrorStatus == "insufficient_capacity";

    private static FlyErrorKind Classify(HttpStatusCode status, string message) => (int)status switch
    {
        400 => FlyErrorKind.BadRequest,
        401 => FlyErrorKind.Unauthorized,
        403 => FlyErrorKind.Forbidden,
        404 => FlyErrorKind.NotFound,
        408 => FlyErrorKind.Timeout,
        409 when message.Contains("lease", StringComparison.OrdinalIgnoreCase) => FlyErrorKind.LeaseConflict,
        409 => FlyErrorKind.Conflict,
        412 => FlyErrorKind.FailedPrecondition,
        422 => FlyErrorKind.Unprocessable,
        429 => FlyErrorKind.RateLimited,
        >= 500 and < 600 => FlyErrorKind.ServerError,
        _ => FlyErrorKind.Other,
    };

    /// <summary>Refit's exception factory: null for success, else the typed exception.</summary>
    internal static async ValueTask<Exception?> FromResponseAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode) return null;
        var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        var error = TryParse(body);
        var message = NonEmpty(error?.Message) ?? NonEmpty(error?.Error) ?? (body.Length > 0 ? body : response.ReasonPhrase ?? "");
        var requestId = response.Headers.TryGetValues(FlyHeaders.RequestId, out var ids) ? ids.FirstOrDefault() : null;
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        var errorStatus = error?.Status is "error" or "" ? null : error?.Status;
        return new FlyApiException(response.StatusCode, message, errorStatus, requestId, retryAfter,
            response.RequestMessage?.Method, response.RequestMessage?.RequestUri);
    }

    private static ErrorResponse? TryParse(string body)
    {
        if (!body.TrimStart().StartsWith('{')) return null;
        try { return JsonSerializer.Deserialize<ErrorResponse>(body, FlyJson.Options); }
        catch (JsonException) { return null; }
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using AgentCluster.Silo.Api;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// Every failure a request can meet, as a ProblemDetails with a reason a person can act on: refusals of the
/// session (4xx), the machine provider's trouble (502/503), and the cluster's (503). Never a bare 500.
/// </summary>
public sealed partial class SessionProblems(IProblemDetailsService problems, ILogger<SessionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var agent = context.Request.Path.StartsWithSegments("/agent");
        var (status, title, detail) = exception switch
        {
            SessionException e => Map(e, agent),
            BadHttpRequestException e => (e.StatusCode, TitleOf(e.StatusCode), Describe(e)), // null for 413/415: see Describe(context)
            UnauthorizedAccessException e => (StatusCodes.Status401Unauthorized, "Unauthorized", e.Message),
            NodeDrainingException e => (StatusCodes.Status503ServiceUnavailable, "Node shutting down", e.Message),
            _ when ClusterFaults.IsTransient(exception) => (StatusCodes.Status503ServiceUnavailable, "Cluster unavailable",
                "The session did not answer in time, or its node or the cluster's storage is unavailable; retry the request."),
            _ => (StatusCodes.Status500InternalServerError, "Unexpected error", "The request failed unexpectedly; it was logged."),
        };
        if (status >= 500 && exception is not NodeDrainingException)
        {
            // A fault of the moment (a node or Redis away) is expected now and then; anything else is a bug.
            var level = ClusterFaults.IsTransient(exception) || exception is SessionException ? LogLevel.Warning : LogLevel.Error;
            LogFailed(level, exception, context.Request.Method, context.Request.Path, status);
        }
        if (context.Response.HasStarted) return true; // an SSE stream already under way: just end it

        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        if (exception is SessionException { RetryAfter: { } retry })
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString();
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is SessionException { Field: { } field }) problem.Extensions["field"] = field;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static (int, string, string?) Map(SessionException e, bool agent) => e.Kind switch
    {
        SessionErrorKind.NotFound => (StatusCodes.Status404NotFound, e.Field is null ? "Session not found" : "Not found", e.Message),
        SessionErrorKind.Invalid => (StatusCodes.Status400BadRequest, "Invalid request", e.Message),
        SessionErrorKind.Terminated when agent => (StatusCodes.Status410Gone, "Session terminated", e.Message),
        SessionErrorKind.Terminated => (StatusCodes.Status409Conflict, "Session terminated", e.Message),
        SessionErrorKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden", e.Message),
        SessionErrorKind.TooManyTurns => (StatusCodes.Status429TooManyRequests, "Too many queued turns", e.Message),
        SessionErrorKind.Conflict => (StatusCodes.Status409Conflict, e.Field == "session_id" ? "Session id in use" : "Conflict", e.Message),
        SessionErrorKind.MachineProviderRejected => (StatusCodes.Status502BadGateway, "Machine provider refused", e.Message),
        SessionErrorKind.MachineUnreachable => (StatusCodes.Status503ServiceUnavailable, "Machine unreachable", e.Message),
        _ => (StatusCodes.Status503ServiceUnavailable, "Machine provider unavailable", e.Message),
    };

    /// <summary>
    /// The reason for the errors ASP.NET Core answers by itself, without an exception reaching this handler:
    /// a body over the size limit or not JSON (the minimal API refuses it), a route or method that does not exist.
    /// </summary>
    public static void Describe(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status413PayloadTooLarge =>
                $"The request body is larger than the {http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes this endpoint accepts.",
            StatusCodes.Status415UnsupportedMediaType =>
                $"The body must be JSON ('Content-Type: application/json'), not '{http.Request.ContentType}'.",
            StatusCodes.Status404NotFound => $"There is no endpoint at '{http.Request.Path}'.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on '{http.Request.Path}'.",
            _ => null,
        };
    }

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request body too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Bad request",
    };

    /// <summary>A body that is not the JSON expected: say where (System.Text.Json names the path).</summary>
    private static string? Describe(BadHttpRequestException e) =>
        e.StatusCode is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType ? null
        : e.InnerException is System.Text.Json.JsonException json ? $"The JSON body is invalid: {json.Message}"
        : e.Message;

    [LoggerMessage(EventId = 2001, Message = "{Method} {Path} failed: {Status}")]
    private partial void LogFailed(LogLevel level, Exception exception, string method, PathString path, int status);
}

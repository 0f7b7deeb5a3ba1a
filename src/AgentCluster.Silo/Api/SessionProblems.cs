using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AgentCluster.Silo.Api;

/// <summary>
/// Every failure a request can meet, as a ProblemDetails with a reason a person can act on: refusals of the
/// session (4xx), the machine provider's trouble (502/503), and the cluster's (503). Never a bare 500.
/// </summary>
public sealed class SessionProblems(IProblemDetailsService problems, ILogger<SessionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var agent = context.Request.Path.StartsWithSegments("/agent");
        var (status, title, detail) = exception switch
        {
            SessionException e => Map(e, agent),
            BadHttpRequestException e => (e.StatusCode, "Bad request", Describe(e)),
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
            logger.Log(level, exception, "{Method} {Path} failed: {Status}", context.Request.Method, context.Request.Path, status);
        }
        if (context.Response.HasStarted) return true; // an SSE stream already under way: just end it

        context.Response.StatusCode = status;
        if (exception is SessionException { RetryAfter: { } retry })
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString();
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is SessionException { Field: { } field }) problem.Extensions["field"] = field;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static (int, string, string) Map(SessionException e, bool agent) => e.Kind switch
    {
        SessionErrorKind.NotFound => (StatusCodes.Status404NotFound, "Session not found", e.Message),
        SessionErrorKind.Invalid => (StatusCodes.Status400BadRequest, "Invalid request", e.Message),
        SessionErrorKind.Terminated when agent => (StatusCodes.Status410Gone, "Session terminated", e.Message),
        SessionErrorKind.Terminated => (StatusCodes.Status409Conflict, "Session terminated", e.Message),
        SessionErrorKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden", e.Message),
        SessionErrorKind.TooManyTurns => (StatusCodes.Status429TooManyRequests, "Too many queued turns", e.Message),
        SessionErrorKind.MachineProviderRejected => (StatusCodes.Status502BadGateway, "Machine provider refused", e.Message),
        _ => (StatusCodes.Status503ServiceUnavailable, "Machine provider unavailable", e.Message),
    };

    /// <summary>A body that is not the JSON expected: say where (System.Text.Json names the path).</summary>
    private static string Describe(BadHttpRequestException e) =>
        e.InnerException is System.Text.Json.JsonException json ? $"The JSON body is invalid: {json.Message}" : e.Message;
}

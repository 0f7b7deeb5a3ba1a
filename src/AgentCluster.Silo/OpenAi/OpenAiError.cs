using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// An error in OpenAI's shape, <c>{"error": {message, type, param, code}}</c>, which OpenAI's clients read into their
/// exceptions: the adapter's own refusals, and the session's (<see cref="SessionException"/>) with the status the
/// session API gives them, so an OpenAI client gets a 400 naming the field, 404, 409 … and never a bare 500.
/// </summary>
public sealed record OpenAiError(OpenAiErrorDetail Error)
{
    public static OpenAiError Of(string message, string type, string? code = null, string? param = null) =>
        new(new OpenAiErrorDetail(message, type, param, code));

    /// <summary>A 400 for a field of the request: <paramref name="param"/> names it.</summary>
    public static JsonHttpResult<OpenAiError> Invalid(string param, string message) =>
        Result(StatusCodes.Status400BadRequest, Of(message, InvalidRequest, "invalid_value", param));

    public static JsonHttpResult<OpenAiError> Result(int status, OpenAiError error) =>
        TypedResults.Json(error, ProtocolJson.Options, statusCode: status);

    public const string InvalidRequest = "invalid_request_error";
    public const string ServerError = "server_error";

    /// <summary>
    /// The status and error for a failure the session API would answer with a ProblemDetails; null for one it would
    /// call a bug (left to the node's exception handler, which logs it).
    /// </summary>
    public static (int Status, OpenAiError Error)? For(Exception exception) => exception switch
    {
        SessionException e => e.Kind switch
        {
            SessionErrorKind.NotFound => (StatusCodes.Status404NotFound, Of(e.Message, InvalidRequest, "session_not_found", e.Field)),
            SessionErrorKind.Invalid => (StatusCodes.Status400BadRequest, Of(e.Message, InvalidRequest, "invalid_value", e.Field)),
            SessionErrorKind.Terminated => (StatusCodes.Status409Conflict, Of(e.Message, InvalidRequest, "session_terminated")),
            SessionErrorKind.Conflict => (StatusCodes.Status409Conflict, Of(e.Message, InvalidRequest, "conflict", e.Field)),
            SessionErrorKind.Forbidden => (StatusCodes.Status403Forbidden, Of(e.Message, "permission_error", "forbidden", e.Field)),
            SessionErrorKind.TooManyTurns => (StatusCodes.Status429TooManyRequests, Of(e.Message, "rate_limit_error", "too_many_turns")),
            SessionErrorKind.MachineProviderRejected => (StatusCodes.Status502BadGateway, Of(e.Message, ServerError, "machine_provider_rejected")),
            _ => (StatusCodes.Status503ServiceUnavailable, Of(e.Message, ServerError, "unavailable")),
        },
        BadHttpRequestException e => (e.StatusCode, Of(e.Message, InvalidRequest, "invalid_request")),
        NodeDrainingException e => (StatusCodes.Status503ServiceUnavailable, Of(e.Message, ServerError, "node_draining")),
        _ when ClusterFaults.IsTransient(exception) => (StatusCodes.Status503ServiceUnavailable, Of(
            "The session did not answer in time, or its node or the cluster's storage is unavailable; retry the request.", ServerError, "unavailable")),
        _ => null,
    };
}

/// <param name="Param">The request field at fault, when one is.</param>
public sealed record OpenAiErrorDetail(string Message, string Type, string? Param, string? Code);

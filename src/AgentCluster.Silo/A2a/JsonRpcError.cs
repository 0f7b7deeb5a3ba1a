using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Hosting;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// A JSON-RPC error with A2A's codes: JSON-RPC's own (-32700 … -32603) and A2A's (-32001 TaskNotFound …). The session
/// API's refusals (<see cref="SessionException"/>) come as the nearest code, the session's message and, in
/// <c>data</c>, its kind and the field at fault, so an A2A client never gets a bare HTTP 500 for them.
/// </summary>
public sealed record JsonRpcError(int Code, string Message, JsonObject? Data = null)
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    /// <summary>A2A's own: not a task of the caller's (or none at all).</summary>
    public const int TaskNotFound = -32001;

    /// <summary>A2A's own: the task has ended, or cannot be canceled now.</summary>
    public const int TaskNotCancelable = -32002;

    public const int PushNotificationNotSupported = -32003;
    public const int UnsupportedOperation = -32004;
    public const int ContentTypeNotSupported = -32005;

    /// <summary>Not A2A's: the implementation-defined code of a refused API key (with HTTP 401), since A2A leaves that to HTTP.</summary>
    public const int Unauthenticated = -32000;

    public static JsonRpcError Invalid(string field, string message) => new(InvalidParams, message, new JsonObject { ["field"] = field });

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["code"] = Code, ["message"] = Message };
        if (Data is not null) json["data"] = Data.DeepClone();
        return json;
    }

    /// <summary>The error for a failure the session API would answer with a ProblemDetails; null for one it would call a bug.</summary>
    public static JsonRpcError? For(Exception exception) => exception switch
    {
        A2aException e => e.Error,
        SessionException e => e.Kind switch
        {
            SessionErrorKind.NotFound => new(TaskNotFound, e.Message, Detail("session_not_found", e.Field)),
            SessionErrorKind.Invalid or SessionErrorKind.Conflict or SessionErrorKind.Forbidden or SessionErrorKind.Terminated =>
                new(InvalidParams, e.Message, Detail(e.Kind.ToString(), e.Field)),
            _ => new(InternalError, e.Message, Detail(e.Kind.ToString(), e.Field)),
        },
        BadHttpRequestException e => new(InvalidRequest, e.Message),
        NodeDrainingException e => new(InternalError, e.Message, Detail("node_draining", null)),
        _ when ClusterFaults.IsTransient(exception) => new(InternalError,
            "The session did not answer in time, or its node or the cluster's storage is unavailable; retry the request.", Detail("unavailable", null)),
        _ => null,
    };

    private static JsonObject Detail(string kind, string? field)
    {
        var data = new JsonObject { ["kind"] = kind };
        if (field is not null) data["field"] = field;
        return data;
    }
}

/// <summary>A request the adapter refuses with <see cref="Error"/> (thrown where it is found, answered by the endpoint).</summary>
public sealed class A2aException(JsonRpcError error) : Exception(error.Message)
{
    public JsonRpcError Error { get; } = error;
}

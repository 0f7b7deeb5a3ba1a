namespace AgentCluster.Abstractions.Sessions;

/// <summary>Why a session call was refused, in terms a caller can act on.</summary>
public enum SessionErrorKind
{
    /// <summary>No such session.</summary>
    NotFound,

    /// <summary>The request itself is wrong; <see cref="SessionException.Field"/> names the field.</summary>
    Invalid,

    /// <summary>The session is terminated: it takes no more messages and its agent must exit.</summary>
    Terminated,

    /// <summary>The agent token does not belong to this session.</summary>
    Forbidden,

    /// <summary>Too many turns queued.</summary>
    TooManyTurns,

    /// <summary>The machine provider refused for a reason the operator must fix (token, app, image).</summary>
    MachineProviderRejected,

    /// <summary>The machine provider failed or throttled for now; the same request may be retried.</summary>
    MachineProviderUnavailable,

    /// <summary>The session id is already in use by another owner; <see cref="SessionException.Field"/> is <c>session_id</c>.</summary>
    Conflict,

    /// <summary>The session's machine is not up yet, or its agent did not answer (exec, files); the same request may be retried.</summary>
    MachineUnreachable,
}

[GenerateSerializer, Alias("AgentCluster.SessionException")]
public sealed class SessionException : Exception
{
    public SessionException(SessionErrorKind kind, string message, string? field = null, TimeSpan? retryAfter = null)
        : base(message)
    {
        Kind = kind;
        Field = field;
        RetryAfter = retryAfter;
    }

    [Id(0)] public SessionErrorKind Kind { get; }
    [Id(1)] public string? Field { get; }
    [Id(2)] public TimeSpan? RetryAfter { get; }

    public static SessionException NotFound(string sessionId) => new(SessionErrorKind.NotFound, $"There is no session '{sessionId}'.");

    public static SessionException Invalid(string field, string message) => new(SessionErrorKind.Invalid, message, field);
}

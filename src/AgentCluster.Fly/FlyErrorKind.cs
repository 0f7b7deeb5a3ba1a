namespace AgentCluster.Fly;

/// <summary>What went wrong, in terms a caller can act on without parsing messages.</summary>
public enum FlyErrorKind
{
    Other,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,

    /// <summary>408: a /wait deadline, or a call whose outcome is unknown (a create may have happened).</summary>
    Timeout,

    /// <summary>409 because another holder has the machine's lease (or the nonce is wrong).</summary>
    LeaseConflict,

    /// <summary>409 for anything else: a name already used, a stale <c>current_version</c>.</summary>
    Conflict,

    /// <summary>412: the machine is in a state that does not allow the call (e.g. start while launching).</summary>
    FailedPrecondition,

    /// <summary>422: validation, e.g. an app name already taken.</summary>
    Unprocessable,

    RateLimited,

    /// <summary>5xx from Fly's side.</summary>
    ServerError,
}

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// The <c>reason</c> of a <c>session.status</c> event whose status is not <c>terminated</c> (a terminated one gives its
/// <see cref="TerminationReason"/>): the same field, so a reader of the events has one place to look.
/// </summary>
public static class StatusReasons
{
    /// <summary><c>starting</c>: a client restarted the session's machine (<c>POST /sessions/{id}/restart</c>).</summary>
    public const string Restarted = "restarted";
}

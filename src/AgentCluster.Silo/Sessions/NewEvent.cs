using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>An event the session is about to log; the log gives it its sequence number.</summary>
public sealed record NewEvent(string Type, int Turn, string Payload, DateTimeOffset? At = null)
{
    /// <summary>The session's terminal <c>session.status</c>: its watchers stop after it.</summary>
    public bool EndsSession { get; init; }

    public static NewEvent Status(SessionStatus status, TerminationReason? reason, int turn, int? queuePosition = null) =>
        new(EventTypes.SessionStatus, turn, EventPayloads.Status(status, reason, queuePosition)) { EndsSession = status == SessionStatus.Terminated };
}

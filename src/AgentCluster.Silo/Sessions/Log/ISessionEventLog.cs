using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// A session's ordered event log, append-only: an append writes only the new events (not the history), and
/// atomically records which agent events it holds, so a crash between "stored" and "acknowledged" cannot
/// store an agent event twice. Event <c>n</c> has sequence number <c>n</c> (1-based, no gaps).
/// </summary>
public interface ISessionEventLog
{
    Task<EventLogHead> ReadHeadAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="events"/> (numbered from <paramref name="head"/>'s next sequence) and moves the
    /// agent cursor to <paramref name="agent"/> when given. Throws <see cref="EventLogConflictException"/> when
    /// the log is no longer at <paramref name="head"/> (another writer appended meanwhile).
    /// </summary>
    Task AppendAsync(string sessionId, EventLogHead head, IReadOnlyList<SessionEvent> events, AgentCursor? agent, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> events with sequence numbers greater than <paramref name="afterSeq"/>, in order.</summary>
    Task<IReadOnlyList<SessionEvent>> ReadAsync(string sessionId, long afterSeq, int max, CancellationToken cancellationToken = default);
}

/// <summary>Where a session's log stands: its last sequence number and the last agent event it holds.</summary>
public sealed record EventLogHead(long LastSeq, AgentCursor Agent)
{
    public static readonly EventLogHead Empty = new(0, AgentCursor.None);
}

/// <summary>The highest agent sequence number stored for one agent process (instance).</summary>
public sealed record AgentCursor(string Instance, long Seq)
{
    public static readonly AgentCursor None = new("", 0);
}

public sealed class EventLogConflictException(string sessionId)
    : Exception($"The event log of session {sessionId} was appended to by another writer.");

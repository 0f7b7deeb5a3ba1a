using System.Collections.Concurrent;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>The embedded default's event log: in this process only, gone when it stops.</summary>
public sealed class MemorySessionEventLog : ISessionEventLog
{
    private readonly ConcurrentDictionary<string, Log> logs = new();

    public Task<EventLogHead> ReadHeadAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var log = logs.GetOrAdd(sessionId, _ => new Log());
        lock (log) return Task.FromResult(new EventLogHead(log.Events.Count, log.Agent));
    }

    public Task AppendAsync(string sessionId, EventLogHead head, IReadOnlyList<SessionEvent> events, AgentCursor? agent, CancellationToken cancellationToken = default)
    {
        var log = logs.GetOrAdd(sessionId, _ => new Log());
        lock (log)
        {
            if (log.Events.Count != head.LastSeq) throw new EventLogConflictException(sessionId);
            log.Events.AddRange(events);
            if (agent is not null) log.Agent = agent;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SessionEvent>> ReadAsync(string sessionId, long afterSeq, int max, CancellationToken cancellationToken = default)
    {
        if (!logs.TryGetValue(sessionId, out var log)) return Task.FromResult<IReadOnlyList<SessionEvent>>([]);
        lock (log)
        {
            var from = (int)Math.Min(Math.Max(afterSeq, 0), log.Events.Count);
            return Task.FromResult<IReadOnlyList<SessionEvent>>(log.Events.GetRange(from, Math.Min(max, log.Events.Count - from)));
        }
    }

    private sealed class Log
    {
        public List<SessionEvent> Events { get; } = [];
        public AgentCursor Agent { get; set; } = AgentCursor.None;
    }
}

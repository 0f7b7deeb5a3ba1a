using System.Runtime.CompilerServices;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Storage;
using AgentCluster.Silo.Telemetry;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// A session's event log as its activation knows it (the head, and the end once the session is over) and its live
/// watchers. Events are numbered and made durable before any watcher is shown them; a watcher replays what is
/// stored whenever it is behind, then takes live events from its buffer, and stops after the session's end.
/// </summary>
internal sealed class SessionFeed(string sessionId, ISessionEventLog log, SessionMetrics metrics, IGrainContext activation)
{
    private const int ReplayPage = 256;

    private readonly SessionWatchers watchers = new();

    // The seq of the terminal session.status: watchers stop after it.
    private long? endSeq;

    public EventLogHead Head { get; private set; } = EventLogHead.Empty;

    /// <param name="ended">The session is terminated: its log ends where it is now.</param>
    public async Task LoadAsync(bool ended, CancellationToken cancellationToken)
    {
        Head = await log.ReadHeadAsync(sessionId, cancellationToken);
        if (ended) endSeq = Head.LastSeq;
    }

    /// <summary>Numbers the events, appends them (with the agent's cursor), then shows them to the watchers; true when they end the session.</summary>
    /// <exception cref="EventLogConflictException">Another activation of the session wrote meanwhile.</exception>
    public async Task<bool> AppendAsync(IReadOnlyList<NewEvent> events, AgentCursor? agent, DateTimeOffset now)
    {
        var numbered = new List<SessionEvent>(events.Count);
        long? end = null;
        foreach (var e in events)
        {
            var seq = Head.LastSeq + numbered.Count + 1;
            numbered.Add(new SessionEvent { Seq = seq, Type = e.Type, Turn = e.Turn, At = e.At ?? now, Payload = e.Payload });
            if (e.EndsSession) end = seq;
        }
        await log.AppendAsync(sessionId, Head, numbered, agent);
        Head = new EventLogHead(Head.LastSeq + numbered.Count, agent ?? Head.Agent);
        endSeq ??= end;
        foreach (var e in numbered) metrics.EventAppended(e.Type);
        watchers.Publish(numbered);
        return end is not null;
    }

    public async IAsyncEnumerable<SessionEvent> WatchAsync(long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watcher = watchers.Add();
        try
        {
            var seen = Math.Max(0, afterSeq);
            while (!(seen >= endSeq))
            {
                // Behind the log (a fresh watcher, a gap, or a lagging one): read what is stored.
                while (seen < Head.LastSeq && !(seen >= endSeq))
                {
                    var page = await log.ReadAsync(sessionId, seen, ReplayPage, cancellationToken);
                    if (page.Count == 0) break; // nothing stored past here (yet): wait for live events
                    foreach (var stored in page.TakeWhile(e => !(e.Seq > endSeq)))
                    {
                        yield return stored;
                        seen = stored.Seq;
                    }
                }
                if (seen >= endSeq) yield break;

                // Buffered events are taken without a wait (and without a token to hold it): the common case under load.
                if (!watcher.TryRead(out var live))
                {
                    using var held = HeldCalls.Hold(activation, cancellationToken);
                    try { live = await watcher.ReadAsync(held.Token); }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { throw HeldCalls.Moving(sessionId); }
                }
                if (live.Seq != seen + 1) continue; // already seen, or after a gap the log fills on the next pass
                yield return live;
                seen = live.Seq;
            }
        }
        finally
        {
            watchers.Remove(watcher);
        }
    }
}

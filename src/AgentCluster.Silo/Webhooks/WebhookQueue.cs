using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Options;

namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// The decisions of one subscription over its <see cref="WebhookState"/>: which events of a session's log become
/// deliveries (each once: the cursor moves with them, in the same state write), which delivery is due, and what a
/// success or failure does to the queue. Strictly first in, first out: a delivery waits for the one before it,
/// so a receiver sees each session's events in order.
/// </summary>
public sealed class WebhookQueue(WebhookState state, WebhookOptions options, WebhookRetrySchedule schedule)
{
    /// <summary>How long a finished session's cursor is kept, so that a late repeated poke cannot queue its events again.</summary>
    public static readonly TimeSpan EndedCursorKept = TimeSpan.FromDays(2);

    public long CursorOf(string sessionId) => state.Cursors.TryGetValue(sessionId, out var c) ? c.Seq : 0;

    /// <summary>Whether it has read the session's end (the cursor says so for two days after: <see cref="EndedCursorKept"/>).</summary>
    public bool HasReadEnd(string sessionId) => state.Cursors.TryGetValue(sessionId, out var c) && c.EndedAt is not null;

    /// <summary>
    /// Queues the subscribed events among <paramref name="events"/> (read from the log after the cursor) and moves
    /// the cursor past them all. True when anything changed (the caller writes the state).
    /// </summary>
    public bool Take(string sessionId, IReadOnlyList<SessionEvent> events, DateTimeOffset now)
    {
        var cursor = state.Cursors.GetValueOrDefault(sessionId) ?? new SessionCursor(0);
        var changed = false;
        foreach (var e in events.Where(e => e.Seq > cursor.Seq).OrderBy(e => e.Seq))
        {
            var type = WebhookEvents.TypeOf(e);
            // Only what happened since the subscription was made: a new subscription does not replay old sessions.
            if (type is not null && state.Events.Contains(type) && e.At >= state.CreatedAt)
                state.Queue.Add(new WebhookDelivery { SessionId = sessionId, Seq = e.Seq, Type = type, NextAttemptAt = now });
            cursor = new SessionCursor(e.Seq, cursor.EndedAt ?? (type == WebhookEvents.SessionTerminated ? now : null));
            changed = true;
        }
        if (changed) state.Cursors[sessionId] = cursor;
        while (state.Queue.Count > options.MaxQueued) GiveUp(state.Queue[0], "the queue was full");
        foreach (var ended in state.Cursors.Where(c => c.Value.EndedAt + EndedCursorKept < now).Select(c => c.Key).ToList())
            state.Cursors.Remove(ended);
        return changed;
    }

    /// <summary>The delivery to try now, if the head of the queue is due.</summary>
    public WebhookDelivery? Due(DateTimeOffset now) => state.Queue.Count > 0 && state.Queue[0].NextAttemptAt <= now ? state.Queue[0] : null;

    /// <summary>When the head of the queue is due; null when the queue is empty.</summary>
    public DateTimeOffset? NextDue => state.Queue.Count > 0 ? state.Queue[0].NextAttemptAt : null;

    public int Pending => state.Queue.Count;

    /// <summary>Sessions whose end it has not read yet: their logs are read again on the reminder, in case a poke was lost.</summary>
    public IReadOnlyList<(string SessionId, long Seq)> OpenSessions =>
        state.Cursors.Where(c => c.Value.EndedAt is null).Select(c => (c.Key, c.Value.Seq)).ToList();

    public void Delivered(WebhookDelivery delivery, DateTimeOffset now)
    {
        if (!state.Queue.Remove(delivery)) return;
        state.DeliveredTotal++;
        state.LastDeliveredAt = now;
    }

    /// <summary>
    /// A failed attempt: retried later by the schedule, or given up after its last attempt or at once when
    /// <paramref name="final"/> (nothing left to send); the queue moves on.
    /// </summary>
    public void Failed(WebhookDelivery delivery, string error, DateTimeOffset now, TimeSpan? retryAfter = null, bool final = false)
    {
        var index = state.Queue.IndexOf(delivery);
        if (index < 0) return;
        state.LastError = error;
        var attempts = delivery.Attempts + 1;
        if (!final && schedule.NextAttempt(attempts, now, retryAfter) is { } next)
            state.Queue[index] = delivery with { Attempts = attempts, NextAttemptAt = next };
        else
            GiveUp(delivery, $"{error} (given up after {attempts} attempts)");
    }

    private void GiveUp(WebhookDelivery delivery, string why)
    {
        state.Queue.Remove(delivery);
        state.FailedTotal++;
        state.LastError = $"{delivery.WebhookId}: {why}";
    }
}

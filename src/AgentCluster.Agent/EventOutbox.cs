using System.Diagnostics;
using System.Threading.Channels;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Telemetry;

namespace AgentCluster.Agent;

/// <summary>
/// Events waiting for the session's acknowledgement. Each gets the next agent sequence number when queued and
/// stays until an ack covers it, so a push that failed (or whose ack was lost) is simply sent again; the
/// session stores each sequence number once. One push at a time, started as soon as something is queued, so
/// output reaches the session while the turn still runs; whatever queued meanwhile goes in the next batch.
/// Each event may name the span it belongs to (its turn's), and a batch holds the events of one span, so that
/// its push joins that trace.
/// </summary>
internal sealed class EventOutbox(IOrchestrator orchestrator, TimeProvider time, Action acknowledged)
{
    public const int MaxBatch = 100;

    private readonly Lock gate = new();
    private readonly List<Queued> pending = [];
    // A doorbell, not a queue: one ring wakes the pusher however many events were queued.
    private readonly Channel<bool> doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Backoff stalled = new(Random.Shared);
    private TaskCompletionSource drained = Drained();
    private long lastSeq;

    public int Pending
    {
        get { lock (gate) return pending.Count; }
    }

    /// <param name="payload">The payload as JSON object text.</param>
    /// <param name="trace">The span the event belongs to (its turn's), which its push continues; default: none.</param>
    /// <returns>The event's agent sequence number.</returns>
    public long Enqueue(string type, int turn, string payload, ActivityContext trace = default)
    {
        long seq;
        lock (gate)
        {
            seq = ++lastSeq;
            pending.Add(new Queued(
                new AgentEvent { Seq = seq, Type = type, Turn = turn, At = time.GetUtcNow(), Payload = payload }, trace));
            if (drained.Task.IsCompleted) drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        doorbell.Writer.TryWrite(true);
        return seq;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (batch, trace) = NextBatch();
            if (batch.Count == 0)
            {
                await doorbell.Reader.ReadAsync(cancellationToken);
                continue;
            }
            AgentAck ack;
            using (AgentTracing.StartPush(trace, batch.Count))
                ack = await orchestrator.PushAsync(batch, cancellationToken);
            acknowledged();
            if (Acknowledge(ack.AckedSeq)) stalled.Reset();
            // An ack that covers nothing we sent would have us resend the same batch at once, forever.
            else await Task.Delay(stalled.Next(), time, cancellationToken);
        }
    }

    /// <summary>Waits until every queued event is acknowledged.</summary>
    /// <returns>False when the time ran out first.</returns>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task flushed;
        lock (gate) flushed = drained.Task;
        try
        {
            await flushed.WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The oldest events queued under the same span, and that span.</summary>
    private (List<AgentEvent> Batch, ActivityContext Trace) NextBatch()
    {
        lock (gate)
        {
            if (pending.Count == 0) return ([], default);
            var trace = pending[0].Trace;
            return (pending.Take(MaxBatch).TakeWhile(q => q.Trace == trace).Select(q => q.Event).ToList(), trace);
        }
    }

    private bool Acknowledge(long ackedSeq)
    {
        lock (gate)
        {
            var removed = pending.RemoveAll(q => q.Event.Seq <= ackedSeq);
            if (pending.Count == 0) drained.TrySetResult();
            return removed > 0;
        }
    }

    private static TaskCompletionSource Drained()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }

    /// <param name="Trace">The span the event was queued under; default when none.</param>
    private readonly record struct Queued(AgentEvent Event, ActivityContext Trace);
}

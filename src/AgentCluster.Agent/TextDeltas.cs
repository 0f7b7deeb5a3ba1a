using System.Text;

namespace AgentCluster.Agent;

/// <summary>
/// Fragments of model text on their way to the session, coalesced so that a fast model does not become an
/// event per token: a fragment is sent at once when the last send was at least <see cref="Interval"/> ago
/// (the first one of a turn: at once), else it waits, with whatever follows, for the timer to send them
/// together at that interval. <see cref="Flush"/> sends what waits before any other event of the turn (the
/// complete block, a tool call), so the stream keeps the order the model wrote in. That is at most one send
/// per interval (20 a second), plus one at each block's end, whatever the model's token rate.
/// </summary>
internal sealed class TextDeltas : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Lock gate = new();
    private readonly StringBuilder waiting = new();
    private readonly TimeProvider time;
    private readonly Action<string> send;
    private readonly ITimer timer;
    private long? lastSent;
    private long? due;
    private bool disposed;

    /// <param name="send">Queues one coalesced fragment; called under this class's lock, so fragments keep their order.</param>
    public TextDeltas(TimeProvider time, Action<string> send)
    {
        this.time = time;
        this.send = send;
        timer = time.CreateTimer(_ => OnDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Add(string fragment)
    {
        if (fragment.Length == 0) return;
        lock (gate)
        {
            if (disposed) return;
            waiting.Append(fragment);
            if (due is not null) return;
            var wait = lastSent is { } sent ? Interval - time.GetElapsedTime(sent) : TimeSpan.Zero;
            if (wait <= TimeSpan.Zero)
            {
                Send();
                return;
            }
            due = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
            timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Sends what waits now: the block it belongs to is complete, or another event comes next.</summary>
    public void Flush()
    {
        lock (gate)
        {
            if (waiting.Length > 0) Send();
        }
    }

    /// <summary>The turn is over: what waits is sent, nothing more is.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            if (waiting.Length > 0) Send();
            disposed = true;
        }
        timer.Dispose();
    }

    private void OnDue()
    {
        lock (gate)
        {
            if (disposed || due is not { } at) return;
            // A callback of a timer since flushed and set again, or one that fired a tick before the clock says:
            // it waits for its own time.
            var early = time.GetElapsedTime(time.GetTimestamp(), at);
            if (early > TimeSpan.Zero)
            {
                timer.Change(early, Timeout.InfiniteTimeSpan);
                return;
            }
            if (waiting.Length > 0) Send();
        }
    }

    private void Send()
    {
        send(waiting.ToString());
        waiting.Clear();
        lastSent = time.GetTimestamp();
        due = null;
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }
}

namespace AgentCluster.Agent;

/// <summary>
/// Notices that the agent was frozen and thawed: its machine suspended and resumed (Fly's memory snapshot; the
/// emulator's SIGSTOP and SIGCONT), or its host asleep. Nothing ran meanwhile, so a silence, a timeout or a broken
/// connection that spans a freeze says nothing about the orchestrators. Seen from inside, a freeze is a gap: the
/// clock jumped between two looks far more than the time between them. Under SIGSTOP the monotonic clock runs on;
/// in a resumed VM it stood still with the VM, and the wall clock jumps instead once NTP sets it right (Fly: "on
/// resume, the clock can lag a few seconds until NTP syncs"); either jump counts.
/// </summary>
internal sealed class Freezes(TimeProvider time)
{
    /// <summary>How often someone should look (<see cref="OrphanWatch"/> does), so that a gap stands out.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A gap this much longer than a tick is a freeze. Far above a busy scheduler's lateness; a false one costs
    /// only a restarted orphan window and a call retried at once.
    /// </summary>
    public static readonly TimeSpan MinGap = TimeSpan.FromSeconds(5);

    private readonly Lock sync = new();
    private long lastLook = time.GetTimestamp();
    private DateTimeOffset lastLookWall = time.GetUtcNow();
    private long lastThaw;
    private int count;
    private CancellationTokenSource nextThaw = new();

    /// <summary>Freezes noticed so far: a call that sees it change while it was out failed across one.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>When the last freeze was noticed (a <see cref="TimeProvider.GetTimestamp"/>; 0 before any).</summary>
    public long LastThaw => Interlocked.Read(ref lastThaw);

    /// <summary>Cancelled when the next freeze is noticed: a call that was out across it need not wait for its own timeout.</summary>
    public CancellationToken NextThaw
    {
        get
        {
            lock (sync) return nextThaw.Token;
        }
    }

    /// <summary>Looks at the clocks; true when they jumped since the last look: a freeze, now over.</summary>
    public bool Check()
    {
        CancellationTokenSource thawed;
        lock (sync)
        {
            var now = time.GetTimestamp();
            var wall = time.GetUtcNow();
            var gap = time.GetElapsedTime(lastLook, now);
            var wallGap = wall - lastLookWall;
            (lastLook, lastLookWall) = (now, wall);
            if ((gap > wallGap ? gap : wallGap) < Tick + MinGap) return false;
            Interlocked.Exchange(ref lastThaw, now);
            Interlocked.Increment(ref count);
            (thawed, nextThaw) = (nextThaw, new CancellationTokenSource());
        }
        // Outside the lock: the calls it cuts off run their cancellation callbacks here. Not disposed: a call may
        // still link its token.
        thawed.Cancel();
        return true;
    }
}

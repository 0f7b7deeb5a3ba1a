using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Agent;

/// <summary>
/// A fake clock that counts the timers made on it, so that a test can move time one tick at a time and wait for
/// the loop under test to have armed its next one (a fake clock moved far in one go looks like a freeze); and whose
/// wall clock can jump alone, as a resumed VM's does once NTP sets it right.
/// </summary>
internal sealed class ObservedClock : TimeProvider
{
    private int timers;

    public FakeTimeProvider Fake { get; } = new();

    /// <summary>How far the wall clock is ahead of the monotonic one.</summary>
    public TimeSpan WallAhead { get; set; }

    public int Timers => Volatile.Read(ref timers);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow() + WallAhead;

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref timers);
        return Fake.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Time passing normally: a tick at a time, each once the loop that ticks has armed its next timer.</summary>
    public async Task RunForAsync(TimeSpan span, Func<bool> ended)
    {
        for (var left = span; left > TimeSpan.Zero && !ended(); left -= AgentCluster.Agent.Freezes.Tick)
            await AdvanceAsync(AgentCluster.Agent.Freezes.Tick, ended);
    }

    /// <summary>Moves the clock, then waits for the loop that ticks to arm its next timer (or to end).</summary>
    public async Task AdvanceAsync(TimeSpan by, Func<bool> ended)
    {
        var armed = Timers;
        Fake.Advance(by);
        await Eventually.TrueAsync(() => Timers > armed || ended(), TimeSpan.FromSeconds(5), "the loop armed its next tick");
    }
}

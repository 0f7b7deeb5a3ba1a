using System.Diagnostics;

namespace AgentCluster.Agent;

/// <summary>
/// Where the agent's start-up goes: the first time each milestone is reached, as time since the process
/// started, written once to the log after the first turn. A session's first output waits on all of it, so
/// it is worth seeing on every machine (and the benchmarks read it from the machine's log).
/// Marking costs a timestamp; the process's start time is read only when the line is written, off the
/// first turn's path.
/// </summary>
internal static class StartupTimeline
{
    public const string Main = "main";

    /// <summary>A pool machine's claim came (after however long the machine waited in the pool, suspended).</summary>
    public const string Claimed = "claimed";
    public const string FirstPollSent = "poll-sent";
    public const string FirstTurnReceived = "turn-received";
    public const string FirstOutput = "output-queued";

    private static readonly string[] Order = [Main, Claimed, FirstPollSent, FirstTurnReceived, FirstOutput];
    private static readonly long[] Reached = new long[Order.Length];
    private static int written;

    public static void Mark(string milestone)
    {
        var index = Array.IndexOf(Order, milestone);
        Interlocked.CompareExchange(ref Reached[index], Stopwatch.GetTimestamp(), 0);
    }

    /// <summary>Writes the timeline the first time it is called; later calls do nothing.</summary>
    public static void WriteOnce(AgentLog log)
    {
        if (Interlocked.Exchange(ref written, 1) == 1) return;
        // The kernel's start time (10 ms resolution) as a Stopwatch timestamp: now minus how long ago it was.
        using var self = Process.GetCurrentProcess();
        var now = Stopwatch.GetTimestamp();
        var started = now - (long)((DateTime.Now - self.StartTime).TotalSeconds * Stopwatch.Frequency);
        var parts = Order.Select((name, i) => Reached[i] == 0
            ? null
            : $"{name}={Stopwatch.GetElapsedTime(started, Reached[i]).TotalMilliseconds:0}ms");
        log.Write($"startup since process start: {string.Join(' ', parts.OfType<string>())}");
    }
}

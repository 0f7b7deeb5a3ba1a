namespace AgentCluster.Benchmarks.Hosts;

/// <summary>A process's memory and CPU from /proc, read from outside (the node is measured as the OS sees it).</summary>
public static class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on Linux x86_64 and arm64

    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>
    /// When the process started, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp (10 ms resolution).
    /// The kernel counts from boot and the Stopwatch on CLOCK_MONOTONIC: the same clock on a host that has
    /// not been suspended since boot, which a benchmark host is not.
    /// </summary>
    public static long StartedTimestamp(int pid)
    {
        var starttime = long.Parse(StatFields(pid)[19]); // field 22 of stat, in clock ticks since boot
        return (long)(starttime / TicksPerSecond * System.Diagnostics.Stopwatch.Frequency);
    }

    public static TimeSpan CpuTime(int pid)
    {
        var fields = StatFields(pid);
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The fields of /proc/{pid}/stat from the third on (index 0 is field 3, the state).</summary>
    private static string[] StatFields(int pid)
    {
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}

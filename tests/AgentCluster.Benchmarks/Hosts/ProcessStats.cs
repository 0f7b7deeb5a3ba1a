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

    public static TimeSpan CpuTime(int pid)
    {
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}

using System.Diagnostics;

namespace AgentCluster.Testing;

/// <summary>
/// What /proc says about any process, read from outside as the OS sees it: whether it still runs (nothing left
/// behind), its children and command line, its memory and CPU.
/// </summary>
public static class Processes
{
    private const double TicksPerSecond = 100; // USER_HZ: 100 on Linux x86_64 and arm64

    /// <summary>Alive and not a zombie waiting to be reaped.</summary>
    public static bool Alive(int pid) => StatFields(pid) is { } fields && fields[0] is not ("Z" or "X");

    /// <summary>Held by SIGSTOP (state T): alive, but not running until SIGCONT.</summary>
    public static bool Frozen(int pid) => StatFields(pid) is { } fields && fields[0] == "T";

    public static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == parent);

    public static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }

    /// <summary>Resident memory (VmRSS), in bytes.</summary>
    public static long ResidentBytes(int pid) => StatusBytes(pid, "VmRSS:");

    /// <summary>The most resident memory since the process started or since <see cref="ResetPeakResident"/> (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes(int pid) => StatusBytes(pid, "VmHWM:");

    /// <summary>Starts the process's peak resident memory again from its resident memory now (the kernel's clear_refs, 5).</summary>
    public static void ResetPeakResident(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    private static long StatusBytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>CPU time used so far (user + system).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var fields = StatFields(pid) ?? throw new InvalidOperationException($"no process {pid}");
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of stat)
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>
    /// When the process started, as a <see cref="Stopwatch"/> timestamp (10 ms resolution). The kernel counts from
    /// boot and the Stopwatch on CLOCK_MONOTONIC: the same clock on a host that has not been suspended since boot,
    /// which a benchmark host is not.
    /// </summary>
    public static long StartedTimestamp(int pid)
    {
        var fields = StatFields(pid) ?? throw new InvalidOperationException($"no process {pid}");
        var starttime = long.Parse(fields[19]); // field 22 of stat, in clock ticks since boot
        return (long)(starttime / TicksPerSecond * Stopwatch.Frequency);
    }

    private static int ParentOf(int pid) => StatFields(pid) is { } fields && int.TryParse(fields[1], out var parent) ? parent : 0;

    /// <summary>The fields of /proc/{pid}/stat from the third on (index 0 is field 3, the state); null once it is gone.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

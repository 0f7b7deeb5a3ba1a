using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>One sweep of one reaper shard as the node logged it, and when the harness read the line.</summary>
public sealed record Sweep(int Shard, int Due, int Checked, int Failed, long ElapsedMs, TimeSpan ReadAt)
{
    /// <summary>When the sweep began, on the harness's clock (the line is read as the sweep ends).</summary>
    public TimeSpan StartedAt => ReadAt - TimeSpan.FromMilliseconds(ElapsedMs);
}

/// <summary>
/// The reaper's sweeps, read from a node's output: ReaperGrain logs each one that checked something (at Debug,
/// enabled by <see cref="Settings"/>). The harness learns what the reaper did without reaching into the node.
/// </summary>
public sealed partial class ReaperSweeps
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<Sweep> sweeps = [];

    private ReaperSweeps() { }

    /// <summary>The node settings that make ReaperGrain log its sweeps.</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Logging__LogLevel__AgentCluster.Silo.Reaping.ReaperGrain"] = "Debug",
    };

    public TimeSpan Now => clock.Elapsed;

    public static ReaperSweeps Watch(ChildProcess node)
    {
        var watcher = new ReaperSweeps();
        node.Watch(watcher.Read);
        return watcher;
    }

    /// <summary>The sweeps read since <paramref name="since"/> (a <see cref="Now"/>).</summary>
    public IReadOnlyList<Sweep> Since(TimeSpan since)
    {
        lock (sweeps) return sweeps.Where(s => s.ReadAt >= since).ToList();
    }

    private void Read(string line)
    {
        if (SweptLine().Match(line) is not { Success: true } m) return;
        var sweep = new Sweep(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value),
            int.Parse(m.Groups[4].Value), long.Parse(m.Groups[5].Value), clock.Elapsed);
        lock (sweeps) sweeps.Add(sweep);
    }

    // ReaperGrain.LogSwept's message.
    [GeneratedRegex(@"Reaper shard (\d+) swept: (\d+) due, (\d+) checked, (\d+) failed, in (\d+) ms")]
    private static partial Regex SweptLine();
}

using System.Globalization;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>
/// The agent's own start-up timeline, from the line it writes to its machine's log after its first turn
/// (<c>agentcluster-agent startup since process start: main=41ms poll-sent=90ms …</c>).
/// </summary>
public static class AgentStartupLog
{
    private const string Marker = "agentcluster-agent startup since process start:";

    public const string Main = "main";
    public const string PollSent = "poll-sent";
    public const string TurnReceived = "turn-received";
    public const string OutputQueued = "output-queued";

    /// <summary>Milestone → milliseconds since the agent process started; waits for the line up to <paramref name="deadline"/>.</summary>
    public static async Task<IReadOnlyDictionary<string, double>> ReadAsync(string logPath, TimeSpan deadline, CancellationToken cancellationToken)
    {
        string? line = null;
        await Eventually.TrueAsync(() => Task.FromResult(
                (line = File.Exists(logPath) ? ReadShared(logPath).FirstOrDefault(l => l.Contains(Marker, StringComparison.Ordinal)) : null) is not null),
            deadline, () => $"the start-up line in {logPath}", cancellationToken);
        return Parse(line![(line!.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..]);
    }

    private static Dictionary<string, double> Parse(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1].TrimEnd('s', 'm'), CultureInfo.InvariantCulture));

    /// <summary>The emulator still has the file open for writing.</summary>
    private static List<string> ReadShared(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }
}

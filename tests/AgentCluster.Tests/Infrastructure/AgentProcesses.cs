namespace AgentCluster.Tests.Infrastructure;

/// <summary>Finds the agent processes of a session by their environment, as /proc shows it.</summary>
public static class AgentProcesses
{
    public static IReadOnlyList<int> Of(string sessionId) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Processes.Alive(pid) && Environment(pid).Contains($"AGENTCLUSTER_SESSION_ID={sessionId}\0"))
            .ToList();

    /// <summary>One variable of a process's environment (null when it has none by that name, or is gone).</summary>
    public static string? Variable(int pid, string name) =>
        Environment(pid).Split('\0').FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    private static string Environment(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/environ"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}

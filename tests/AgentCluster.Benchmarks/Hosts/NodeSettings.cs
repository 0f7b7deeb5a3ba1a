namespace AgentCluster.Benchmarks.Hosts;

/// <summary>Node settings several scenarios share.</summary>
public static class NodeSettings
{
    /// <summary>
    /// Agents played by the harness call in only when a scenario says so: with an hour of boot grace and
    /// heartbeat TTL (and the orphan timeout the options require above it), no session is reaped while it is
    /// measured.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NoReaping { get; } = new Dictionary<string, string>
    {
        ["Sessions__BootGrace"] = "01:00:00",
        ["Sessions__HeartbeatTtl"] = "01:00:00",
        ["Sessions__AgentOrphanTimeout"] = "02:00:00",
    };
}

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>Node settings several scenarios share.</summary>
public static class NodeSettings
{
    /// <summary>
    /// The logging of the node's shipped appsettings.json. A node started from the harness runs in the harness's
    /// working directory, where that file is not, and would log every request at Information: at thousands of
    /// requests a second the console logger then costs more CPU than some of what is measured.
    /// </summary>
    public static IReadOnlyDictionary<string, string> AsShipped { get; } = new Dictionary<string, string>
    {
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>
    /// Agents played by the harness call in only when a scenario says so: with an hour of boot grace and
    /// heartbeat TTL (and the orphan timeout the options require above it), no session is reaped while it is
    /// measured.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NoReaping { get; } = new Dictionary<string, string>(AsShipped)
    {
        ["Sessions__BootGrace"] = "01:00:00",
        ["Sessions__HeartbeatTtl"] = "01:00:00",
        ["Sessions__AgentOrphanTimeout"] = "02:00:00",
    };
}

namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// Requests that are not traced: every agent heartbeats every few seconds and holds a long poll open all the
/// time (its next turn, or the interrupt watch of the turn it runs), and health checks and scrapes come just as
/// steadily; traced, they would bury the sessions' traces. What the agent posts (its events, its setup) is traced.
/// </summary>
public static class QuietRequests
{
    public static bool IsQuiet(PathString path)
    {
        var value = path.Value ?? "";
        if (value is "/health" or "/metrics") return true;
        if (!value.StartsWith("/agent/sessions/", StringComparison.Ordinal)) return false;
        return value.EndsWith("/heartbeat", StringComparison.Ordinal)
            || value.EndsWith("/turns/next", StringComparison.Ordinal)
            || value.EndsWith("/interrupt", StringComparison.Ordinal);
    }
}

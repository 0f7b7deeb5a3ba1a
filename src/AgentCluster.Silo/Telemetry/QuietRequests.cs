using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// Requests that are not traced: every agent heartbeats every few seconds and holds a long poll open all the
/// time (its next turn, or the interrupt watch of the turn it runs), and health checks, scrapes and the dashboard
/// come just as steadily; traced, they would bury the sessions' traces. What the agent posts (its events, its setup) is traced;
/// its runtime's model calls through the model gateway are not.
/// The agent's interrupt watch and next-turn poll are long polls; the turn they deliver is traced anyway, by the
/// traceparent it was queued with.
/// </summary>
public static class QuietRequests
{
    public static bool IsQuiet(HttpRequest request)
    {
        var value = request.Path.Value ?? "";
        // The embedded Machines emulator's API (it runs in the node): traced under the node's call that made it,
        // never as a trace of its own (the reaper's sweeps call it all the time).
        if (value.StartsWith("/v1/", StringComparison.Ordinal)) return !request.Headers.ContainsKey("traceparent");
        // Fly's health checks every 15 s per node, scrapes, and the dashboard's polls every second.
        if (request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/metrics") || request.Path.StartsWithSegments("/dashboard"))
            return true;
        if (!value.StartsWith("/agent/sessions/", StringComparison.Ordinal)) return false;
        // A runtime's model calls (the model gateway): the agent's turn span covers them. The traceparent they may carry
        // names the agent's HTTP client span, which the agent does not export, so a node span under it would dangle.
        if (value.Contains("/anthropic/", StringComparison.Ordinal)) return true;
        return value.EndsWith("/heartbeat", StringComparison.Ordinal)
            || value.EndsWith("/turns/next", StringComparison.Ordinal)
            || value.EndsWith("/interrupt", StringComparison.Ordinal);
    }
}

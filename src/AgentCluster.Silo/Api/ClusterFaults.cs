using Orleans.Runtime;

namespace AgentCluster.Silo.Api;

internal static class ClusterFaults
{
    /// <summary>The session's node died or is leaving, or a grain call timed out: the same call can be retried.</summary>
    public static bool IsTransient(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;
}

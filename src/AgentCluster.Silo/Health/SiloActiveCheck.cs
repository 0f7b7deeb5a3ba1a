using AgentCluster.Silo.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Health;

/// <summary>
/// Ready only while this node is an Active member of the cluster as the membership service sees it: not while
/// it is still joining, nor once it has begun to drain (<see cref="NodeDrain"/>) or been declared dead.
/// </summary>
public sealed class SiloActiveCheck(IClusterMembershipService membership, ILocalSiloDetails silo, NodeDrain drain) : IHealthCheck
{
    public const string Name = "silo";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (drain.IsDraining) return Task.FromResult(HealthCheckResult.Unhealthy("the node is shutting down"));
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("active in the cluster")
            : HealthCheckResult.Unhealthy($"the silo is {status.ToString().ToLowerInvariant()}, not active in the cluster"));
    }
}

using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Pool;

public static class PoolHosting
{
    /// <summary>
    /// The pools of ready machines (section <c>Pool</c>), checked when the node starts. Its grains are Orleans'; its
    /// keeper starts with the silo (<see cref="ClusterHosting"/>).
    /// </summary>
    public static IServiceCollection AddMachinePool(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<PoolOptions>()
            .Bind(config.GetSection(PoolOptions.Section))
            .Configure<IOptions<TierOptions>>((o, tiers) => o.Tiers = tiers.Value)
            .ValidateRulesOnStart(o => o.Validate());
        services.AddSingleton<PoolShapes>();
        services.AddSingleton<PoolMetrics>();
        return services;
    }
}

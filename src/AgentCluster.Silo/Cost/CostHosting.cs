using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Cost;

public static class CostHosting
{
    /// <summary>Pricing (section <c>Pricing</c>), checked when the node starts: every session's cost_usd and machine budget are read from it.</summary>
    public static IServiceCollection AddCost(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<PricingOptions>().Bind(config.GetSection(PricingOptions.Section)).ValidateRulesOnStart(o => o.Validate());
        services.AddSingleton<MachinePrices>();
        return services;
    }
}

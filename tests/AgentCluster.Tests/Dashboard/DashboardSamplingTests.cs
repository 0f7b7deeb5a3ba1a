using AgentCluster.Silo.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace AgentCluster.Tests.Dashboard;

/// <summary>The dashboard samples Orleans' counters whether anyone watches or not: every 10 s, not its default 1 s.</summary>
public sealed class DashboardSamplingTests
{
    [Fact]
    public void A_node_samples_the_dashboards_counters_every_10_seconds()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddOperatorDashboard());
        using var host = builder.Build();
        Assert.Equal(10_000, host.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.CounterUpdateIntervalMs);
    }
}

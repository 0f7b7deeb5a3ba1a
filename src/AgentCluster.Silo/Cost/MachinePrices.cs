using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Cost;

/// <summary>The estimated cost of a machine's running time, from the node's price table (<see cref="PricingOptions"/>).</summary>
public sealed class MachinePrices(IOptions<PricingOptions> options)
{
    /// <summary>USD for <paramref name="seconds"/> of <paramref name="guest"/> running, to a hundred-millionth of a dollar (the precision of Fly's per-second prices).</summary>
    public decimal CostOf(GuestSpec guest, double seconds) => Math.Round(PerSecond(guest) * (decimal)seconds, 8);

    public decimal PerSecond(GuestSpec guest)
    {
        var prices = options.Value;
        var performance = guest.CpuKind == FlyGuests.Performance;
        var cpus = guest.Cpus ?? 1;
        var included = cpus * (performance ? prices.PerformanceIncludedMemoryMb : prices.SharedIncludedMemoryMb);
        var extraGb = Math.Max(0, (guest.MemoryMb ?? included) - included) / 1024m;
        return cpus * (performance ? prices.PerformanceCpuPerSecond : prices.SharedCpuPerSecond) + extraGb * prices.MemoryGbPerSecond;
    }
}

using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Cost;

/// <summary>
/// What a running machine costs (section <c>Pricing</c>), for the estimate each session shows as cost_usd. Fly
/// prices a machine as its CPUs, each with some memory included, plus the memory above that per GB; a stopped
/// machine's CPU and memory cost nothing (its root file system does, a little, and is left out here).
/// </summary>
/// <remarks>
/// The defaults are Fly's published rates for Ashburn (iad), in USD per second, as the pricing page's table
/// computes them (https://fly.io/docs/about/pricing/, "Started Fly Machines"; its source, superfly/docs
/// snippets/RegionPricingSelector.jsx at commit aea0083, read 2026-11-24): a shared vCPU $0.00000075/s with
/// 256 MB included, a performance vCPU $0.00001196/s with 2 GB included, and $0.00000193/s per GB of memory
/// above that (about $5 per 30 days). Other regions cost up to about 60% more: set these to your region's.
/// </remarks>
public sealed class PricingOptions
{
    public const string Section = "Pricing";

    /// <summary>A shared vCPU, with <see cref="SharedIncludedMemoryMb"/> of memory, per second.</summary>
    public decimal SharedCpuPerSecond { get; set; } = 0.00000075m;

    /// <summary>A performance vCPU, with <see cref="PerformanceIncludedMemoryMb"/> of memory, per second.</summary>
    public decimal PerformanceCpuPerSecond { get; set; } = 0.00001196m;

    /// <summary>Each GB of memory above what the CPUs include, per second.</summary>
    public decimal MemoryGbPerSecond { get; set; } = 0.00000193m;

    /// <summary>
    /// A stopped or suspended machine's root file system, per GB and 30-day month: all an idle pool machine costs by
    /// this table (Fly's "$0.15 per GB per month" for stopped machines' root file systems, same page).
    /// </summary>
    public decimal RootfsGbPerMonth { get; set; } = 0.15m;

    /// <summary>The agent image's root file system as Fly bills it, in GB (its unpacked size; check with <c>fly machine status</c>).</summary>
    public decimal RootfsGb { get; set; } = 2m;

    /// <summary>What one idle (stopped or suspended) machine costs an hour: its root file system only.</summary>
    public decimal IdlePerHour => RootfsGb * RootfsGbPerMonth / (30 * 24);

    public int SharedIncludedMemoryMb { get; set; } = 256;
    public int PerformanceIncludedMemoryMb { get; set; } = 2048;

    /// <summary>Prices are tiny per second; one this large is a per-hour or per-month price put in the wrong place.</summary>
    private const decimal MostPerSecond = 0.01m;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, price) in new[]
                 {
                     (nameof(SharedCpuPerSecond), SharedCpuPerSecond),
                     (nameof(PerformanceCpuPerSecond), PerformanceCpuPerSecond),
                     (nameof(MemoryGbPerSecond), MemoryGbPerSecond),
                 })
            if (price is < 0 or > MostPerSecond)
                yield return $"Pricing:{name} must be a price per second in USD between 0 and {MostPerSecond} (got {price}).";
        if (RootfsGbPerMonth is < 0 or > 10) yield return $"Pricing:RootfsGbPerMonth must be a price per GB and month in USD between 0 and 10 (got {RootfsGbPerMonth}).";
        if (RootfsGb is < 0 or > 100) yield return $"Pricing:RootfsGb must be between 0 and 100 GB (got {RootfsGb}).";
        if (SharedIncludedMemoryMb < 0) yield return "Pricing:SharedIncludedMemoryMb must not be negative.";
        if (PerformanceIncludedMemoryMb < 0) yield return "Pricing:PerformanceIncludedMemoryMb must not be negative.";
    }
}

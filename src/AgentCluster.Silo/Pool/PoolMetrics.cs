using System.Diagnostics.Metrics;
using AgentCluster.Silo.Cost;
using AgentCluster.Silo.Telemetry;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Pool;

/// <summary>
/// The pools' instruments on the <c>AgentCluster</c> meter, tagged by pool (a shape's name: a few values). The
/// ready machines are counted on the node whose activation holds each pool; summed over nodes, each pool's size.
/// </summary>
public sealed class PoolMetrics
{
    private readonly UpDownCounter<long> ready;
    private readonly Counter<long> claims;
    private readonly Counter<long> misses;
    private readonly Counter<long> refills;
    private readonly UpDownCounter<double> idleCost;
    private readonly decimal idlePerHour;

    public PoolMetrics(IMeterFactory meters, IOptions<PricingOptions> prices)
    {
        idlePerHour = prices.Value.IdlePerHour;
        var meter = meters.Create(SessionMetrics.MeterName);
        ready = meter.CreateUpDownCounter<long>("agentcluster.pool.ready", "{machine}", "Pool machines booted and waiting (suspended) for a session, by pool.");
        claims = meter.CreateCounter<long>("agentcluster.pool.claims", "{session}", "Sessions that started on a pool machine, by pool.");
        misses = meter.CreateCounter<long>("agentcluster.pool.misses", "{session}",
            "Sessions that found no ready machine and waited for a create, by pool (none: the shape has no pool).");
        refills = meter.CreateCounter<long>("agentcluster.pool.refills", "{machine}", "Pool machines made to replace claimed or stale ones, by pool.");
        idleCost = meter.CreateUpDownCounter<double>("agentcluster.pool.idle_cost", "USD/h",
            "What the ready pool machines cost an hour while they wait, by the price table: their root file systems only (Pricing:RootfsGb, Pricing:RootfsGbPerMonth).");
    }

    public void ReadyChanged(string pool, long by)
    {
        var tag = new KeyValuePair<string, object?>("pool", pool);
        ready.Add(by, tag);
        idleCost.Add((double)(by * idlePerHour), tag);
    }

    public void Claimed(string pool) => claims.Add(1, new KeyValuePair<string, object?>("pool", pool));

    public void Missed(string? pool) => misses.Add(1, new KeyValuePair<string, object?>("pool", pool ?? "none"));

    public void Refilled(string pool) => refills.Add(1, new KeyValuePair<string, object?>("pool", pool));
}

using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Reaping;

/// <summary>Wakes every reaper shard when a node starts (idempotent: each node does it; the reminders keep them going).</summary>
public sealed class ReaperStartup(IGrainFactory grains, IOptions<ReaperOptions> options) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Shards).Select(shard => grains.GetGrain<IReaperGrain>(shard).WakeAsync()));
}

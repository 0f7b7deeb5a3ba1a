using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Reaping;

/// <summary>
/// Wakes every reaper shard when the node starts, and then again every other sweep interval: a shard whose
/// node died comes back within seconds on a live one, instead of waiting up to a minute for its reminder (which
/// stays the durable backstop should every node restart). Waking an awake shard costs one grain call.
/// </summary>
public sealed partial class ReaperStartup(IGrainFactory grains, IOptions<ReaperOptions> options, IHostApplicationLifetime lifetime, ILogger<ReaperStartup> logger)
    : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        await WakeAllAsync();
        _ = KeepAwakeAsync(lifetime.ApplicationStopping);
    }

    private async Task KeepAwakeAsync(CancellationToken stopping)
    {
        using var ticks = new PeriodicTimer(options.Value.SweepInterval * 2);
        try
        {
            while (await ticks.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await WakeAllAsync();
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    // A shard on a node that just died cannot answer until the cluster notices; next tick.
                    LogWakeFailed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task WakeAllAsync() =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Shards).Select(shard => grains.GetGrain<IReaperGrain>(shard).WakeAsync()));

    [LoggerMessage(4100, LogLevel.Debug, "Waking the reaper shards failed; retrying next tick")]
    private partial void LogWakeFailed(Exception e);
}

using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Pool;

/// <summary>
/// Keeps every pool with a target active, from every node: a pool whose node died is back within
/// <see cref="PoolOptions.KeepInterval"/> on a live one and goes on filling. Keeping an active pool costs one grain call.
/// </summary>
public sealed partial class PoolKeeper(IGrainFactory grains, PoolShapes shapes, IOptions<PoolOptions> options, IHostApplicationLifetime lifetime, ILogger<PoolKeeper> logger)
    : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken)
    {
        // Once the node serves HTTP: a pool machine is told where to call, which is this node's address by default.
        if (shapes.All.Any(p => p.Target > 0)) lifetime.ApplicationStarted.Register(() => _ = KeepAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    private async Task KeepAsync(CancellationToken stopping)
    {
        using var ticks = new PeriodicTimer(options.Value.KeepInterval);
        do
        {
            try
            {
                await Task.WhenAll(shapes.All.Where(p => p.Target > 0).Select(p => grains.GetGrain<IMachinePoolGrain>(p.Name).KeepAsync()));
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                LogKeepFailed(e); // a pool on a node that just died cannot answer until the cluster notices; next tick
            }
        }
        while (await WaitAsync(ticks, stopping));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer ticks, CancellationToken stopping)
    {
        try
        {
            return await ticks.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(3310, LogLevel.Debug, "Keeping the pools active failed; retrying next tick")]
    private partial void LogKeepFailed(Exception e);
}

using System.Diagnostics.Metrics;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Reaping;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.Tests.Cost;

/// <summary>
/// The session cluster on a fake session clock with one reaper shard that sweeps only when a test says so:
/// machine time, budgets and metrics move exactly as far as the test moves the clock. Two collections use
/// it, each with its own cluster, so that the metric tests see only their own sessions move.
/// </summary>
public sealed class CostClusterFixture : SessionClusterFixture
{
    public static readonly TimeSpan BootGrace = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public IReaperGrain Reaper => Grains.GetGrain<IReaperGrain>(0);

    /// <summary>The silo's services: its meter factory scopes the metrics a test listens to.</summary>
    public IServiceProvider Silo => Cluster.Silos[0].ServiceProvider;

    public IMeterFactory Meters => Silo.GetRequiredService<IMeterFactory>();

    protected override void Configure(Dictionary<string, string?> settings, IServiceCollection services)
    {
        settings["Reaper:Shards"] = "1";
        services.AddKeyedSingleton<TimeProvider>(SessionClock.Key, Clock);
    }

    public async Task AdvanceAndSweepAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await Reaper.SweepAsync();
    }

    /// <summary>Moves the clock in steps of at most 10 s, the agent heartbeating after each (unless asleep) and the reaper sweeping.</summary>
    public async Task BeatThroughAsync(ISessionGrain session, string token, TimeSpan span, string instance = "a1")
    {
        var step = TimeSpan.FromSeconds(10);
        for (var moved = TimeSpan.Zero; moved < span; moved += step)
        {
            await AdvanceAndSweepAsync(span - moved < step ? span - moved : step);
            var view = (await session.GetAsync())!;
            if (view.Status is not (SessionStatus.Sleeping or SessionStatus.Terminated)) await session.AgentHeartbeatAsync(token, instance);
        }
    }

    /// <summary>A started session whose agent has taken and finished its first turn: idle, machine running.</summary>
    public async Task<(ISessionGrain Session, string Token, string MachineId)> StartIdleAsync(long? maxMachineSeconds = null)
    {
        var (session, token, machineId) = await StartAsync(maxMachineSeconds);
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        await session.AgentPushAsync(token, new AgentCluster.Abstractions.Agents.AgentEventBatch("a1", [TurnCompleted(1, 1)]));
        return (session, token, machineId);
    }

    public async Task<(ISessionGrain Session, string Token, string MachineId)> StartAsync(long? maxMachineSeconds = null)
    {
        var session = Session(NewId());
        var started = await session.StartAsync(new StartSession { Prompt = "echo hi", MaxMachineSeconds = maxMachineSeconds });
        var machineId = started.Session.MachineId!;
        return (session, await AgentTokenAsync(machineId), machineId);
    }

    public async Task<bool> IsLiveAsync(string machineId) =>
        (await Machines.ListMachinesAsync(App)).Any(m => m.Id == machineId && AgentCluster.Fly.Models.MachineStates.IsActive(m.State));
}

[CollectionDefinition(Name)]
public sealed class CostClusterCollection : ICollectionFixture<CostClusterFixture>
{
    public const string Name = "cost-cluster";
}

[CollectionDefinition(Name)]
public sealed class MetricsClusterCollection : ICollectionFixture<CostClusterFixture>
{
    public const string Name = "metrics-cluster";
}

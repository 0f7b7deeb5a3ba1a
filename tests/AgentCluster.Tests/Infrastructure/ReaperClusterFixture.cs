using AgentCluster.Silo.Reaping;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// The session cluster with a fake session clock and one reaper shard that never sweeps by itself: a test
/// moves the clock and sweeps when it wants to, so every deadline is exact and nothing races the test.
/// </summary>
public sealed class ReaperClusterFixture : SessionClusterFixture
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan BootGrace = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan StallGrace = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan DestroyRetry = TimeSpan.FromSeconds(30);

    /// <summary>Small pages, so that sweeps page through every test's sessions.</summary>
    public const int SweepBatch = 4;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public IReaperGrain Reaper => Grains.GetGrain<IReaperGrain>(0);

    protected override void Configure(Dictionary<string, string?> settings, IServiceCollection services)
    {
        settings["Reaper:Shards"] = "1";
        settings["Reaper:SweepBatch"] = SweepBatch.ToString();
        settings["Reaper:OrphanGrace"] = OrphanGrace.ToString();
        settings["Reaper:DestroyRetry"] = DestroyRetry.ToString();
        services.AddKeyedSingleton<TimeProvider>(SessionClock.Key, Clock);
    }

    /// <summary>Moves the session clock, then lets the reaper look at whatever is due.</summary>
    public async Task<SweepReport> AdvanceAndSweepAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return await Reaper.SweepAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ReaperClusterCollection : ICollectionFixture<ReaperClusterFixture>
{
    public const string Name = "reaper-cluster";
}

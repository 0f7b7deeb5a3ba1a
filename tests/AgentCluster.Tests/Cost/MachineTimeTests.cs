using AgentCluster.Abstractions.Sessions;
using AgentCluster.Tests.Infrastructure;
using Orleans.Runtime;
using F = AgentCluster.Tests.Cost.CostClusterFixture;

namespace AgentCluster.Tests.Cost;

/// <summary>A session's machine-seconds and cost on the fake session clock: they grow while its machine runs, and only then.</summary>
[Collection(CostClusterCollection.Name)]
public sealed class MachineTimeTests(CostClusterFixture fixture)
{
    // Fly's published Ashburn rate for the node's default size, shared-cpu-1x with 1 GB: $0.00000075 for the CPU
    // and its 256 MB, plus 0.75 GB at $0.00000193 (the pricing page rounds it to $0.00000220/s).
    private const decimal SharedCpu1xWith1GbPerSecond = 0.00000075m + 0.75m * 0.00000193m;

    /// <summary>To the hundred-millionth of a dollar, as sessions show it.</summary>
    private static decimal CostOf(int seconds) => Math.Round(seconds * SharedCpu1xWith1GbPerSecond, 8);

    [Fact]
    public async Task Machine_seconds_and_cost_grow_while_the_machine_runs_and_stop_while_it_sleeps_or_after_it_ends()
    {
        var (session, token, _) = await fixture.StartIdleAsync();
        var fresh = (await session.GetAsync())!;
        Assert.Equal((0, 0m, null), (fresh.MachineSeconds, fresh.CostUsd, fresh.MaxMachineSeconds));

        await fixture.BeatThroughAsync(session, token, TimeSpan.FromMinutes(5));
        var running = (await session.GetAsync())!;
        Assert.Equal(300, running.MachineSeconds);
        Assert.Equal(CostOf(300), running.CostUsd);

        // Idle for the idle timeout: the machine is stopped at 600 s, and an hour asleep costs nothing.
        await fixture.BeatThroughAsync(session, token, F.IdleTimeout - TimeSpan.FromMinutes(5));
        Assert.Equal(SessionStatus.Sleeping, (await session.GetAsync())!.Status);
        Assert.Equal(600, (await session.GetAsync())!.MachineSeconds);
        await fixture.AdvanceAndSweepAsync(TimeSpan.FromHours(1));
        var asleep = (await session.GetAsync())!;
        Assert.Equal((SessionStatus.Sleeping, 600d), (asleep.Status, asleep.MachineSeconds));

        // Woken, it counts again from the start of its machine; persisted, it survives a new activation.
        await session.SendMessageAsync("again");
        await fixture.BeatThroughAsync(session, token, TimeSpan.FromSeconds(20), instance: "a2");
        Assert.Equal(620, (await session.GetAsync())!.MachineSeconds);
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(625, (await session.GetAsync())!.MachineSeconds);

        var deleted = await session.DeleteAsync();
        Assert.Equal(625, deleted.MachineSeconds);
        fixture.Clock.Advance(TimeSpan.FromMinutes(3));
        var ended = (await session.GetAsync())!;
        Assert.Equal((625d, CostOf(625)), (ended.MachineSeconds, ended.CostUsd));
    }

    [Fact]
    public async Task A_bigger_machine_costs_its_own_rate()
    {
        var session = fixture.Session(SessionClusterFixture.NewId());
        await session.StartAsync(new StartSession { Prompt = "echo hi", Guest = new GuestSpec { CpuKind = "performance", Cpus = 2, MemoryMb = 4096 } });
        await fixture.AdvanceAndSweepAsync(TimeSpan.FromSeconds(50)); // within the boot grace: nobody reaps it
        var view = (await session.GetAsync())!;
        Assert.Equal(50, view.MachineSeconds);
        Assert.Equal(50 * 2 * 0.00001196m, view.CostUsd); // performance-2x with its included 4 GB
        await session.DeleteAsync();
    }
}

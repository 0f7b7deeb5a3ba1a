using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.Tests.Emulator;

/// <summary>The emulator's deadlines on a fake clock: lease expiry, destroyed retention, the /wait deadline.</summary>
public sealed class EmulatorClockTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.Parse("2026-11-24T10:00:00Z"));
    private EmbeddedFlyEmulator emulator = null!;
    private Microsoft.Extensions.DependencyInjection.ServiceProvider services = null!;
    private EmulatorClient fly = null!;

    public async Task InitializeAsync()
    {
        emulator = await EmbeddedFlyEmulator.StartAsync(o => o.DestroyedRetention = TimeSpan.FromSeconds(10), time: clock);
        services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "t");
        fly = new EmulatorClient(services);
        await fly.Apps.CreateAppAsync(new CreateAppRequest { Name = "clock", OrgSlug = "personal" });
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task An_expired_lease_frees_the_machine()
    {
        var m = await fly.Machines.CreateMachineAsync("clock", EmulatorFixture.Script("sleep 30") with { SkipLaunch = true, LeaseTtl = 30 });
        var held = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.StartMachineAsync("clock", m.Id));
        Assert.Equal(FlyErrorKind.LeaseConflict, held.Kind);
        Assert.EndsWith("expires at 2026-11-24T10:00:30Z", held.FlyMessage);

        clock.Advance(TimeSpan.FromSeconds(29));
        await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.StartMachineAsync("clock", m.Id));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(MachineStates.Created, (await fly.Machines.StartMachineAsync("clock", m.Id)).PreviousState);
        await fly.Machines.DestroyMachineAsync("clock", m.Id, force: true);
    }

    [Fact]
    public async Task A_destroyed_machine_is_gone_after_the_retention()
    {
        var m = await fly.Machines.CreateMachineAsync("clock", EmulatorFixture.Script("sleep 30") with { SkipLaunch = true });
        await fly.Machines.DestroyMachineAsync("clock", m.Id);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(MachineStates.Destroyed, (await fly.Machines.GetMachineAsync("clock", m.Id)).State);
        clock.Advance(TimeSpan.FromSeconds(1));
        var gone = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.GetMachineAsync("clock", m.Id));
        Assert.Equal(FlyErrorKind.NotFound, gone.Kind);
    }

    [Fact]
    public async Task Wait_answers_408_when_the_clock_passes_its_timeout()
    {
        var m = await fly.Machines.CreateMachineAsync("clock", EmulatorFixture.Script("sleep 30") with { SkipLaunch = true });
        var wait = fly.Machines.WaitMachineAsync("clock", m.Id, [MachineStates.Started], timeout: 60);
        // The wait blocks until the fake clock moves; advance in steps until the server has armed its timer.
        await Eventually.TrueAsync(() =>
        {
            if (!wait.IsCompleted) clock.Advance(TimeSpan.FromSeconds(61));
            return wait.IsCompleted;
        }, TimeSpan.FromSeconds(10), "the wait ended on the fake clock");
        var e = await Assert.ThrowsAsync<FlyApiException>(() => wait);
        Assert.Equal(FlyErrorKind.Timeout, e.Kind);
    }
}

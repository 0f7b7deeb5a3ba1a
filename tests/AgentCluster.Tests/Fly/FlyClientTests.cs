using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using AgentCluster.Fly.Api;

namespace AgentCluster.Tests.Fly;

/// <summary>The Refit client against the emulator over real HTTP: every call the orchestrator needs, each error kind.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class FlyClientTests(EmulatorFixture fly)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private const string Sleeper = "trap 'exit 0' INT TERM; while :; do sleep 0.1; done";

    [Fact]
    public async Task Apps_are_created_read_and_refused_by_name()
    {
        var app = await fly.NewAppAsync();
        var read = await fly.Apps.GetAppAsync(app);
        Assert.Equal(app, read.Name);
        Assert.Equal(16, read.Id!.Length);

        var taken = await Assert.ThrowsAsync<FlyApiException>(() => fly.Apps.CreateAppAsync(new CreateAppRequest { Name = app, OrgSlug = "personal" }));
        Assert.Equal(FlyErrorKind.Unprocessable, taken.Kind);
        Assert.Equal("name_taken", taken.ErrorStatus);

        var missing = await Assert.ThrowsAsync<FlyApiException>(() => fly.Apps.GetAppAsync("no-such-app"));
        Assert.Equal(FlyErrorKind.NotFound, missing.Kind);
        Assert.Equal("app not found", missing.FlyMessage);
        Assert.NotNull(missing.RequestId);
    }

    [Fact]
    public async Task A_wrong_token_is_unauthorized()
    {
        await using var services = EmulatorHost.CreateClientServices(fly.Emulator.BaseUrl, "not-the-token");
        var e = await Assert.ThrowsAsync<FlyApiException>(() => services.GetRequiredService<IFlyAppsApi>().GetAppAsync("any"));
        Assert.Equal(FlyErrorKind.Unauthorized, e.Kind);
    }

    [Fact]
    public async Task Missing_token_fails_at_start_with_the_reason()
    {
        await using var services = EmulatorHost.CreateClientServices(fly.Emulator.BaseUrl, "", o => o.ApiToken = null);
        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<FlyOptions>>().Value);
        Assert.Contains("FLY_API_TOKEN", e.Message);
    }

    [Fact]
    public async Task A_machine_goes_through_its_whole_life()
    {
        var app = await fly.NewAppAsync();
        var created = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(Sleeper, c => c with
        {
            Metadata = new() { ["agentcluster_session"] = "s-1" },
            StopConfig = new StopConfig { Signal = "SIGTERM", Timeout = TimeSpan.FromSeconds(2) },
        }, name: "session-s-1"));
        Assert.Equal(MachineStates.Created, created.State);
        Assert.Matches("^[0-9a-f]{14}$", created.Id);
        Assert.Equal(26, created.InstanceId!.Length);

        var started = await fly.Machines.WaitForStateAsync(app, created.Id, [MachineStates.Started], Deadline, created.InstanceId);
        Assert.Equal(MachineStates.Started, started.State);

        // Look-ups that make an ambiguous create safe: by name and by metadata.
        Assert.Equal(created.Id, (await fly.Machines.FindMachineByNameAsync(app, "session-s-1"))!.Id);
        Assert.Equal(created.Id, Assert.Single(await fly.Machines.ListMachinesByMetadataAsync(app, "agentcluster_session", "s-1")).Id);
        Assert.Empty(await fly.Machines.ListMachinesByMetadataAsync(app, "agentcluster_session", "other"));
        Assert.Single(await fly.Machines.ListMachinesAsync(app, state: "created,started"));
        Assert.Empty(await fly.Machines.ListMachinesAsync(app, state: "stopped"));
        Assert.Null(Assert.Single(await fly.Machines.ListMachinesAsync(app, summary: true)).Config);

        await fly.Machines.StopMachineAsync(app, created.Id, new StopRequest());
        await fly.Machines.WaitForStateAsync(app, created.Id, [MachineStates.Stopped], Deadline);
        Assert.Equal(MachineStates.Stopped, (await fly.Machines.StartMachineAsync(app, created.Id)).PreviousState);
        await fly.Machines.WaitForStateAsync(app, created.Id, [MachineStates.Started], Deadline);

        await fly.Machines.SuspendMachineAsync(app, created.Id);
        await fly.Machines.WaitForStateAsync(app, created.Id, [MachineStates.Suspended], Deadline);
        Assert.Equal(MachineStates.Suspended, (await fly.Machines.StartMachineAsync(app, created.Id)).PreviousState);
        await fly.Machines.WaitForStateAsync(app, created.Id, [MachineStates.Started], Deadline);

        await fly.Machines.RestartMachineAsync(app, created.Id, timeout: "2s");
        await Eventually.TrueAsync(async () => (await fly.Machines.ListMachineEventsAsync(app, created.Id)).Any(e => e.Type == "restart"), Deadline, "a restart event");
        await fly.Machines.WaitForStateAsync(app, created.Id, [MachineStates.Started], Deadline);

        await fly.Machines.SignalMachineAsync(app, created.Id, new SignalRequest { Signal = "SIGUSR1" });

        var updated = await fly.Machines.UpdateMachineAsync(app, created.Id, new UpdateMachineRequest
        {
            Config = created.Config! with { Env = new() { ["ROUND"] = "2" } },
            CurrentVersion = created.InstanceId,
        });
        Assert.NotEqual(created.InstanceId, updated.InstanceId);
        await fly.Machines.WaitForStateAsync(app, created.Id, [MachineStates.Started], Deadline, updated.InstanceId);
        Assert.Equal(2, (await fly.Machines.ListMachineVersionsAsync(app, created.Id)).Count);
        var stale = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.UpdateMachineAsync(app, created.Id,
            new UpdateMachineRequest { Config = created.Config!, CurrentVersion = created.InstanceId }));
        Assert.Equal(FlyErrorKind.Conflict, stale.Kind);

        var refused = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.DestroyMachineAsync(app, created.Id));
        Assert.Equal(FlyErrorKind.FailedPrecondition, refused.Kind);

        await fly.Machines.DestroyMachineAsync(app, created.Id, force: true);
        Assert.Equal(MachineStates.Destroyed, (await fly.Machines.GetMachineAsync(app, created.Id)).State);
        Assert.Empty(await fly.Machines.ListMachinesAsync(app));
        Assert.Single(await fly.Machines.ListMachinesAsync(app, includeDeleted: true));
        Assert.Null(await fly.Machines.FindMachineByNameAsync(app, "session-s-1"));

        var events = await fly.Machines.ListMachineEventsAsync(app, created.Id);
        Assert.Equal("destroy", events[0].Type);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Timestamp >= p.Second.Timestamp), "events are newest first");
    }

    [Fact]
    public async Task Names_are_unique_per_app()
    {
        var app = await fly.NewAppAsync();
        await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(Sleeper, name: "only-one"));
        var e = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(Sleeper, name: "only-one")));
        Assert.Equal(FlyErrorKind.Conflict, e.Kind);
        Assert.Single(await fly.Machines.ListMachinesAsync(app));
    }

    [Fact]
    public async Task Wait_times_out_with_Flys_deadline_message()
    {
        var app = await fly.NewAppAsync();
        var machine = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(Sleeper) with { SkipLaunch = true });

        var e = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.WaitMachineAsync(app, machine.Id, [MachineStates.Started], timeout: 1));
        Assert.Equal(FlyErrorKind.Timeout, e.Kind);
        Assert.Equal("deadline_exceeded: machine failed to reach desired state, started, currently created", e.FlyMessage);

        var loop = await Assert.ThrowsAsync<FlyApiException>(() =>
            fly.Machines.WaitForStateAsync(app, machine.Id, [MachineStates.Stopped], TimeSpan.FromSeconds(1.5)));
        Assert.Equal(FlyErrorKind.Timeout, loop.Kind);

        var settled = await fly.Machines.WaitMachineAsync(app, machine.Id, [MachineStates.Settled], timeout: 1);
        Assert.Equal(MachineStates.Created, settled.State);
    }

    [Fact]
    public async Task Leases_guard_mutations()
    {
        var app = await fly.NewAppAsync();
        var machine = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(Sleeper) with { LeaseTtl = 60 });
        Assert.Matches("^[0-9a-f]{12}$", machine.Nonce);
        await fly.Machines.WaitForStateAsync(app, machine.Id, [MachineStates.Started], Deadline);

        var held = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.StopMachineAsync(app, machine.Id, new StopRequest()));
        Assert.Equal(FlyErrorKind.LeaseConflict, held.Kind);
        Assert.Contains($"machine ID {machine.Id} lease currently held by", held.FlyMessage);
        var other = await Assert.ThrowsAsync<FlyApiException>(() => fly.Leases.AcquireLeaseAsync(app, machine.Id, new CreateLeaseRequest { Ttl = 30 }));
        Assert.Equal(FlyErrorKind.LeaseConflict, other.Kind);

        var current = await fly.Leases.GetLeaseAsync(app, machine.Id);
        var refreshed = await fly.Leases.RefreshLeaseAsync(app, machine.Id, machine.Nonce!, new CreateLeaseRequest { Ttl = 120 });
        Assert.Equal(machine.Nonce, refreshed.Data!.Nonce);
        Assert.True(refreshed.Data.ExpiresAt > current.Data!.ExpiresAt);

        await fly.Machines.StopMachineAsync(app, machine.Id, new StopRequest(), leaseNonce: machine.Nonce);
        await fly.Leases.ReleaseLeaseAsync(app, machine.Id, machine.Nonce!);
        var none = await Assert.ThrowsAsync<FlyApiException>(() => fly.Leases.GetLeaseAsync(app, machine.Id));
        Assert.Equal(FlyErrorKind.NotFound, none.Kind);

        var mine = await fly.Leases.AcquireLeaseAsync(app, machine.Id, new CreateLeaseRequest { Ttl = 30, Description = "reaper" });
        Assert.NotEqual(machine.Nonce, mine.Data!.Nonce);
        Assert.Equal("reaper", mine.Data.Description);
    }

    [Fact]
    public async Task Metadata_is_read_written_and_guarded_by_version()
    {
        var app = await fly.NewAppAsync();
        var machine = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(Sleeper) with { SkipLaunch = true });

        await fly.Metadata.SetMetadataValueAsync(app, machine.Id, "owner", new MetadataValue { Value = "reaper-3" });
        Assert.Equal("reaper-3", (await fly.Metadata.GetMetadataValueAsync(app, machine.Id, "owner")).Value);
        await fly.Metadata.UpdateMetadataAsync(app, machine.Id, new UpdateMetadataRequest
        {
            Metadata = new() { ["a"] = "1", ["owner"] = null },
            MachineVersion = machine.InstanceId,
        });
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, await fly.Metadata.GetMetadataAsync(app, machine.Id));
        Assert.Equal(machine.InstanceId, (await fly.Machines.GetMachineAsync(app, machine.Id)).InstanceId);

        var stale = await Assert.ThrowsAsync<FlyApiException>(() => fly.Metadata.UpdateMetadataAsync(app, machine.Id,
            new UpdateMetadataRequest { Metadata = new() { ["b"] = "2" }, MachineVersion = "01HQ73A7BFFDF1B6WMGHFZZ4E7" }));
        Assert.Equal(FlyErrorKind.FailedPrecondition, stale.Kind);

        await fly.Metadata.DeleteMetadataValueAsync(app, machine.Id, "a");
        var gone = await Assert.ThrowsAsync<FlyApiException>(() => fly.Metadata.GetMetadataValueAsync(app, machine.Id, "a"));
        Assert.Equal(FlyErrorKind.NotFound, gone.Kind);
    }

    [Fact]
    public async Task Bad_config_is_a_bad_request_with_the_reason()
    {
        var app = await fly.NewAppAsync();
        var e = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.CreateMachineAsync(app,
            EmulatorFixture.Script(Sleeper, c => c with { Guest = new MachineGuest { CpuKind = "shared", Cpus = 3 } })));
        Assert.Equal(FlyErrorKind.BadRequest, e.Kind);
        Assert.Contains("guest.cpus", e.FlyMessage);
    }
}

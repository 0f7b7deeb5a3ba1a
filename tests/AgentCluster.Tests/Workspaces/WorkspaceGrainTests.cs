using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Abstractions.Workspaces;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Workspaces;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Workspaces;

/// <summary>
/// Workspaces through the real SessionGrain and WorkspaceGrain in a TestCluster, against the emulator's
/// volumes: mounted at /workspace, lent to one live session at a time, kept between sessions, deleted by their
/// owner; an unnamed one goes with its session; a create whose answer was lost never makes a second volume.
/// </summary>
public sealed class WorkspaceGrainTests(WorkspaceGrainTests.Cluster fixture) : IClassFixture<WorkspaceGrainTests.Cluster>
{
    private const string App = SessionClusterFixture.App;
    private const string Owner = "local";

    /// <summary>The session cluster, with volume (and machine) creates given up on after 2 s rather than 15.</summary>
    public sealed class Cluster : SessionClusterFixture
    {
        public static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(2);

        protected override void Configure(Dictionary<string, string?> settings, IServiceCollection services) =>
            settings["Sessions:MachineCreateTimeout"] = CreateTimeout.ToString();
    }

    private IFlyVolumesApi Volumes => fixture.Volumes;

    private static StartSession Naming(string? workspace, string? region = null, int? sizeGb = null) => new()
    {
        Prompt = "true",
        Region = region,
        Workspace = new WorkspaceSpec { Name = workspace, SizeGb = sizeGb },
    };

    private static string NewName() => "w" + Guid.NewGuid().ToString("N")[..12];

    private IWorkspaceGrain Workspace(string name) => fixture.Grains.GetGrain<IWorkspaceGrain>(WorkspaceNames.Key(Owner, name));

    [Fact]
    public async Task A_named_workspace_is_mounted_kept_between_sessions_and_lent_to_one_live_session_at_a_time()
    {
        var name = NewName();
        var (first, second) = (SessionClusterFixture.NewId(), SessionClusterFixture.NewId());

        var started = (await fixture.Session(first).StartAsync(Naming(name))).Session;
        Assert.Equal(name, started.Workspace);
        var machine = await fixture.Machines.GetMachineAsync(App, started.MachineId!);
        var volumeId = Assert.Single(machine.Config!.Mounts!).Volume!;
        Assert.Equal(WorkspaceMount.Path, machine.Config.Mounts![0].Path);
        Assert.Equal(WorkspaceMount.Path, machine.Config.Env![AgentEnvironment.Workspace]);
        var view = (await Workspace(name).GetAsync())!;
        Assert.Equal((volumeId, "iad", WorkspaceRules.DefaultSizeGb, first, false), (view.VolumeId, view.Region, view.SizeGb, view.SessionId, view.Ephemeral));
        var volume = await Volumes.GetVolumeAsync(App, volumeId);
        Assert.Equal((WorkspaceNames.VolumeName(WorkspaceNames.Key(Owner, name)), machine.Id), (volume.Name, volume.AttachedMachineId));

        var refused = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(second).StartAsync(Naming(name)));
        Assert.Equal((SessionErrorKind.Conflict, "workspace.name"), (refused.Kind, refused.Field));
        Assert.Contains($"session '{first}'", refused.Message);
        Assert.Null(await fixture.Session(second).GetAsync()); // refused before anything was recorded
        var held = await Assert.ThrowsAsync<SessionException>(() => Workspace(name).DeleteAsync());
        Assert.Equal(SessionErrorKind.Conflict, held.Kind);
        Assert.Contains(first, held.Message);

        await fixture.Session(first).DeleteAsync();
        Assert.Null((await Workspace(name).GetAsync())!.SessionId);
        Assert.Null((await Volumes.GetVolumeAsync(App, volumeId)).AttachedMachineId);

        var again = (await fixture.Session(second).StartAsync(Naming(name))).Session;
        var remounted = await fixture.Machines.GetMachineAsync(App, again.MachineId!);
        Assert.Equal(volumeId, Assert.Single(remounted.Config!.Mounts!).Volume);
        Assert.Equal(second, (await Workspace(name).GetAsync())!.SessionId);

        await fixture.Session(second).DeleteAsync();
        var deleted = await Workspace(name).DeleteAsync();
        Assert.Equal(volumeId, deleted.VolumeId);
        Assert.Null(await Workspace(name).GetAsync());
        var gone = await Assert.ThrowsAsync<FlyApiException>(() => Volumes.GetVolumeAsync(App, volumeId));
        Assert.Equal(FlyErrorKind.NotFound, gone.Kind);
        Assert.DoesNotContain(name, await fixture.Grains.GetGrain<IWorkspaceDirectoryGrain>(Owner).ListAsync());
        Assert.Equal(SessionErrorKind.NotFound, (await Assert.ThrowsAsync<SessionException>(() => Workspace(name).DeleteAsync())).Kind);
    }

    [Fact]
    public async Task An_unnamed_workspace_is_its_sessions_alone_and_goes_with_it()
    {
        var id = SessionClusterFixture.NewId();
        var started = (await fixture.Session(id).StartAsync(Naming(null, sizeGb: 2))).Session;
        var name = WorkspaceNames.ForSession(id);
        Assert.Equal(name, started.Workspace);
        var view = (await Workspace(name).GetAsync())!;
        Assert.True(view.Ephemeral);
        Assert.Equal(2, (await Volumes.GetVolumeAsync(App, view.VolumeId!)).SizeGb);

        await fixture.Session(id).DeleteAsync();
        Assert.Null(await Workspace(name).GetAsync());
        Assert.Equal(FlyErrorKind.NotFound, (await Assert.ThrowsAsync<FlyApiException>(() => Volumes.GetVolumeAsync(App, view.VolumeId!))).Kind);
    }

    [Fact]
    public async Task Sessions_run_where_their_workspace_is()
    {
        var name = NewName();
        var first = SessionClusterFixture.NewId();
        Assert.Equal("ams", (await fixture.Session(first).StartAsync(Naming(name, region: "ams"))).Session.Region);
        await fixture.Session(first).DeleteAsync();

        var second = SessionClusterFixture.NewId();
        var follows = (await fixture.Session(second).StartAsync(Naming(name))).Session; // no region: the workspace's
        Assert.Equal("ams", (await fixture.Machines.GetMachineAsync(App, follows.MachineId!)).Region);
        await fixture.Session(second).DeleteAsync();

        var elsewhere = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(SessionClusterFixture.NewId()).StartAsync(Naming(name, region: "iad")));
        Assert.Equal((SessionErrorKind.Invalid, "region"), (elsewhere.Kind, elsewhere.Field));
        Assert.Contains("'ams'", elsewhere.Message);
        Assert.Null((await Workspace(name).GetAsync())!.SessionId); // the refused session does not keep it
        await Workspace(name).DeleteAsync();
    }

    [Fact]
    public async Task A_holder_that_never_started_is_taken_over()
    {
        var name = NewName();
        await Workspace(name).AcquireAsync("ghost-session", "iad", null); // took it, then its start failed

        var id = SessionClusterFixture.NewId();
        await fixture.Session(id).StartAsync(Naming(name));
        Assert.Equal(id, (await Workspace(name).GetAsync())!.SessionId);
        await fixture.Session(id).DeleteAsync();
        await Workspace(name).DeleteAsync();
    }

    [Fact]
    public async Task A_volume_still_attached_elsewhere_is_a_retry_not_a_failed_session()
    {
        var name = NewName();
        var volumeId = (await Workspace(name).AcquireAsync("before", "iad", 1)).VolumeId;
        await Workspace(name).ReleaseAsync("before");
        // What Fly shows for a moment after a machine is destroyed: the volume still attached to it.
        var lingering = await fixture.Machines.CreateMachineAsync(App, new CreateMachineRequest
        {
            SkipLaunch = true,
            Config = new MachineConfig { Image = SessionClusterFixture.IdleImage, Mounts = [new MachineMount { Volume = volumeId, Path = "/data" }] },
        });

        var id = SessionClusterFixture.NewId();
        var retry = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(id).StartAsync(Naming(name)));
        Assert.Equal(SessionErrorKind.MachineProviderUnavailable, retry.Kind);
        Assert.NotNull(retry.RetryAfter);
        Assert.Equal(SessionStatus.Starting, (await fixture.Session(id).GetAsync())!.Status);

        await fixture.Machines.DestroyMachineAsync(App, lingering.Id, force: true);
        var started = (await fixture.Session(id).StartAsync(Naming(name))).Session;
        Assert.Equal(volumeId, Assert.Single((await fixture.Machines.GetMachineAsync(App, started.MachineId!)).Config!.Mounts!).Volume);
        await fixture.Session(id).DeleteAsync();
        await Workspace(name).DeleteAsync();
    }

    [Theory]
    [InlineData("W1", null, "workspace.name")]
    [InlineData("my-work", null, "workspace.name")]
    [InlineData("a234567890123456789012345678901", null, "workspace.name")]
    [InlineData("ok", 0, "workspace.size_gb")]
    [InlineData("ok", 501, "workspace.size_gb")]
    public async Task A_workspace_outside_the_rules_is_refused_with_its_field(string name, int? size, string field)
    {
        var id = SessionClusterFixture.NewId();
        var e = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(id).StartAsync(Naming(name, sizeGb: size)));
        Assert.Equal((SessionErrorKind.Invalid, field), (e.Kind, e.Field));
        Assert.Null(await fixture.Session(id).GetAsync());
    }

    [Fact]
    public async Task A_volume_create_that_failed_or_was_never_answered_makes_one_volume_when_retried()
    {
        var name = NewName();
        var volumeName = WorkspaceNames.VolumeName(WorkspaceNames.Key(Owner, name));
        var id = SessionClusterFixture.NewId();
        try
        {
            // Refused outright: the client hears 503 and retries the same request.
            await fixture.SetFaultsAsync(new FaultRule { Action = "volume.create", ServerErrorRate = 1, MaxErrors = 1 });
            var failed = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(id).StartAsync(Naming(name)));
            Assert.Equal(SessionErrorKind.MachineProviderUnavailable, failed.Kind);

            // Carried out, but answered only after the node gave up: the retry finds it by name.
            await fixture.SetFaultsAsync(new FaultRule { Action = "volume.create", ResponseDelay = Cluster.CreateTimeout * 2 });
            var started = (await fixture.Session(id).StartAsync(Naming(name))).Session;
            var machine = await fixture.Machines.GetMachineAsync(App, started.MachineId!);

            var volume = Assert.Single(await Volumes.ListVolumesAsync(App), v => v.Name == volumeName);
            Assert.Equal(volume.Id, Assert.Single(machine.Config!.Mounts!).Volume);
        }
        finally
        {
            await fixture.SetFaultsAsync();
        }
        await fixture.Session(id).DeleteAsync();
        await Workspace(name).DeleteAsync();
    }
}

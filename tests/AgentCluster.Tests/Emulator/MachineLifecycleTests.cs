using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Emulator;

/// <summary>Machines as real processes: restart policies, auto_destroy, stop signals and timeouts, the rootfs, cleanup.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class MachineLifecycleTests(EmulatorFixture fly)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("no", "exit 1", 0)]
    [InlineData("on-failure", "exit 0", 0)]
    public async Task A_process_that_exits_without_a_restart_leaves_the_machine_stopped(string policy, string script, int restarts)
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script(script, c => c with { Restart = new MachineRestart { Policy = policy } }));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Stopped], Deadline);
        var exits = await ExitsAsync(app, m.Id);
        Assert.Equal(restarts + 1, exits.Count);
        Assert.False(exits[0].Restarting);
        Assert.False(exits[0].RequestedStop);
    }

    [Fact]
    public async Task On_failure_restarts_up_to_max_retries_then_stops()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("exit 3",
            c => c with { Restart = new MachineRestart { Policy = "on-failure", MaxRetries = 2 } }));
        await Eventually.TrueAsync(async () => (await ExitsAsync(app, m.Id)).Count == 3 && (await fly.Machines.GetMachineAsync(app, m.Id)).State == MachineStates.Stopped,
            Deadline, "three runs (the first and two retries), then stopped");
        var exits = await ExitsAsync(app, m.Id);
        Assert.All(exits, e => Assert.Equal(3, e.ExitCode));
        Assert.Equal([true, true, false], exits.Select(e => e.Restarting));
    }

    [Fact]
    public async Task Always_restarts_even_a_clean_exit()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("exit 0", c => c with { Restart = new MachineRestart { Policy = "always" } }));
        await Eventually.TrueAsync(async () => (await ExitsAsync(app, m.Id)).Count >= 3, Deadline, "restarted again and again");
        Assert.All(await ExitsAsync(app, m.Id), e => Assert.True(e.Restarting));
        await fly.Machines.DestroyMachineAsync(app, m.Id, force: true);
    }

    [Fact]
    public async Task Auto_destroy_destroys_the_machine_when_its_process_ends()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("exit 0", c => c with { AutoDestroy = true, Restart = new MachineRestart { Policy = "no" } }));
        var destroyed = await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Destroyed], Deadline);
        Assert.Equal(MachineStates.Destroyed, destroyed.State);
        Assert.Empty(await fly.Machines.ListMachinesAsync(app));
    }

    [Fact]
    public async Task Stop_sends_the_configured_signal_and_kills_a_process_that_ignores_it()
    {
        var app = await fly.NewAppAsync();
        // Each script says when its trap is set: a signal sent before that would meet the shell's default handling.
        var polite = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("trap 'exit 7' USR1; touch trapped; while :; do sleep 0.1; done",
            c => c with { StopConfig = new StopConfig { Signal = "SIGUSR1", Timeout = TimeSpan.FromSeconds(10) } }));
        var stubborn = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("trap '' INT TERM; touch trapped; while :; do sleep 0.1; done"));
        foreach (var m in new[] { polite, stubborn })
        {
            await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
            var trapped = Path.Combine(await fly.RootfsAsync(app, m.Id), "trapped");
            await Eventually.TrueAsync(() => File.Exists(trapped), Deadline, $"machine {m.Id}'s script set its trap");
        }

        await fly.Machines.StopMachineAsync(app, polite.Id, new StopRequest());
        await fly.Machines.StopMachineAsync(app, stubborn.Id, new StopRequest { Signal = "SIGTERM", Timeout = TimeSpan.FromSeconds(1) });
        await fly.Machines.WaitForStateAsync(app, polite.Id, [MachineStates.Stopped], Deadline);
        await fly.Machines.WaitForStateAsync(app, stubborn.Id, [MachineStates.Stopped], Deadline);

        var politeExit = (await ExitsAsync(app, polite.Id)).Single();
        Assert.True(politeExit.RequestedStop);
        Assert.Equal(7, politeExit.ExitCode);
        var stubbornExit = (await ExitsAsync(app, stubborn.Id)).Single();
        Assert.Equal(9, stubbornExit.Signal);
    }

    [Fact]
    public async Task The_process_gets_Flys_environment_and_its_own_rootfs_wiped_on_stop()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("env > env.txt; pwd > pwd.txt; while :; do sleep 0.1; done",
            c => c with { Env = new() { ["GREETING"] = "hello" } }));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        var rootfs = await fly.RootfsAsync(app, m.Id);
        var envFile = Path.Combine(rootfs, "env.txt");
        var pwdFile = Path.Combine(rootfs, "pwd.txt"); // written after env.txt: once it is there, both are whole
        await Eventually.TrueAsync(() => File.Exists(pwdFile) && File.ReadAllText(pwdFile).EndsWith('\n'), Deadline, "the script wrote its env and working directory");

        var env = File.ReadAllLines(envFile).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("hello", env["GREETING"]);
        Assert.Equal(app, env["FLY_APP_NAME"]);
        Assert.Equal(m.Id, env["FLY_MACHINE_ID"]);
        Assert.Equal(m.Id, env["FLY_ALLOC_ID"]);
        Assert.Equal("iad", env["FLY_REGION"]);
        Assert.Equal("debian:bookworm-slim", env["FLY_IMAGE_REF"]);
        Assert.Equal(m.InstanceId, env["FLY_MACHINE_VERSION"]);
        Assert.Equal(m.PrivateIp, env["FLY_PRIVATE_IP"]);
        Assert.Equal("app", env["FLY_PROCESS_GROUP"]);
        Assert.Equal(rootfs, File.ReadAllText(pwdFile).Trim());

        await fly.Machines.StopMachineAsync(app, m.Id, new StopRequest { Timeout = TimeSpan.FromSeconds(1) });
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Stopped], Deadline);
        Assert.False(File.Exists(envFile), "the ephemeral rootfs is wiped on stop");
    }

    [Fact]
    public async Task No_process_survives_destroy_not_even_a_grandchild()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 1000 & echo $! > child.pid; wait"));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        var pid = (await fly.ProcessIdAsync(app, m.Id))!.Value;
        var childFile = Path.Combine(await fly.RootfsAsync(app, m.Id), "child.pid");
        await Eventually.TrueAsync(() => File.Exists(childFile) && File.ReadAllText(childFile).Trim().Length > 0, Deadline, "the child started");
        var child = int.Parse(File.ReadAllText(childFile).Trim());

        await fly.Machines.DestroyMachineAsync(app, m.Id, force: true);
        await Eventually.TrueAsync(() => !Processes.Alive(pid) && !Processes.Alive(child), Deadline, "machine process and its child are gone");
    }

    [Fact]
    public async Task No_process_survives_destroy_not_even_an_orphan_in_a_session_of_its_own()
    {
        // As the agent runs an exec: its own session and process group, out of reach of a signal to the machine's group,
        // and out of its tree once its parent is gone.
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("(setsid sleep 1001 & echo $! > child.pid); exec sleep 600"));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        var childFile = Path.Combine(await fly.RootfsAsync(app, m.Id), "child.pid");
        await Eventually.TrueAsync(() => File.Exists(childFile) && File.ReadAllText(childFile).Trim().Length > 0, Deadline, "the child started");
        var child = int.Parse(File.ReadAllText(childFile).Trim());

        Assert.True(Processes.Alive(child), "the orphan runs while its machine does");

        await fly.Machines.DestroyMachineAsync(app, m.Id, force: true);
        await Eventually.TrueAsync(() => !Processes.Alive(child), Deadline, "the orphan in its own session is gone with the machine");
    }

    [Fact]
    public async Task A_stop_ends_an_orphan_in_a_session_of_its_own_too_and_the_next_run_is_left_alone()
    {
        // Outside the rootfs, which a stop wipes; writable by the machine's user (nobody, when the tests run as root).
        var folder = Directory.CreateTempSubdirectory("orphans-");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_111_111);
        var childFile = Path.Combine(folder.FullName, "children.pid");
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script($"(setsid sleep 1002 & echo $! >> {childFile}); exec sleep 600",
            c => c with { Restart = new MachineRestart { Policy = "no" } }));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        await Eventually.TrueAsync(() => File.Exists(childFile) && File.ReadAllText(childFile).EndsWith('\n'), Deadline, "the first run's child started");
        var first = int.Parse(File.ReadAllLines(childFile)[0]);

        await fly.Machines.StopMachineAsync(app, m.Id, new StopRequest { Timeout = TimeSpan.FromSeconds(1) });
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Stopped], Deadline);
        // SIGKILL is sent before the stop is reported; the kernel ends the process soon after, not at once.
        await Eventually.TrueAsync(() => !Processes.Alive(first), Deadline, "the first run's orphan ended with it");

        await fly.Machines.StartMachineAsync(app, m.Id);
        await Eventually.TrueAsync(() => File.ReadAllLines(childFile).Length == 2, Deadline, "the second run's child started");
        var second = int.Parse(File.ReadAllLines(childFile)[1]);
        Assert.True(Processes.Alive(second), "the next run's orphan is its own");
        await fly.Machines.DestroyMachineAsync(app, m.Id, force: true);
        await Eventually.TrueAsync(() => !Processes.Alive(second), Deadline, "the second orphan is gone with the machine");
        folder.Delete(recursive: true);
    }

    [Fact]
    public async Task No_process_survives_the_emulator()
    {
        int pid;
        var marker = "shutdown-" + Guid.NewGuid().ToString("N");
        await using (var emulator = await EmbeddedFlyEmulator.StartAsync())
        {
            await using var services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "t");
            var local = new EmulatorClient(services);
            await local.Apps.CreateAppAsync(new CreateAppRequest { Name = "shutdown", OrgSlug = "personal" });
            var m = await local.Machines.CreateMachineAsync("shutdown", EmulatorFixture.Script($"trap '' INT TERM; while :; do sleep 0.1; done # {marker}"));
            await local.Machines.WaitForStateAsync("shutdown", m.Id, [MachineStates.Started], Deadline);
            pid = Processes.ChildrenOf(Environment.ProcessId).Single(p => Processes.CommandLine(p).Contains(marker));
        }
        await Eventually.TrueAsync(() => !Processes.Alive(pid), Deadline, "the emulator killed its machines when it stopped");
    }

    [Fact]
    public async Task A_command_that_cannot_run_leaves_the_machine_failed()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, new CreateMachineRequest
        {
            Config = new MachineConfig { Image = "x", Init = new MachineInit { Exec = ["/nonexistent/agent"] } },
        });
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Failed], Deadline);
        var events = await fly.Machines.ListMachineEventsAsync(app, m.Id);
        Assert.Equal(("launch", "failed"), (events[0].Type, events[0].Status));
        Assert.Contains("/nonexistent/agent", events[0].Request!.Reason);
    }

    [Fact]
    public async Task Start_while_the_image_is_prepared_is_refused_like_Fly()
    {
        await using var emulator = await EmbeddedFlyEmulator.StartAsync(o => o.BootDelay = TimeSpan.FromSeconds(2));
        await using var services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "t");
        var local = new EmulatorClient(services);
        await local.Apps.CreateAppAsync(new CreateAppRequest { Name = "slow", OrgSlug = "personal" });
        var m = await local.Machines.CreateMachineAsync("slow", EmulatorFixture.Script("sleep 30"));

        var e = await Assert.ThrowsAsync<FlyApiException>(() => local.Machines.StartMachineAsync("slow", m.Id));
        Assert.Equal(FlyErrorKind.FailedPrecondition, e.Kind);
        Assert.Equal("failed_precondition: unable to start machine from current state: 'created'", e.FlyMessage);
        await local.Machines.WaitForStateAsync("slow", m.Id, [MachineStates.Started], Deadline);
    }

    [Fact]
    public async Task The_default_image_runs_the_agent_from_the_local_build()
    {
        var app = await fly.NewAppAsync();
        var agentEnv = new Dictionary<string, string>
        {
            ["AGENTCLUSTER_SESSION_ID"] = "s1",
            ["AGENTCLUSTER_SESSION_TOKEN"] = "t",
            ["AGENTCLUSTER_ORCHESTRATOR_URLS"] = "http://127.0.0.1:9",
        };
        var m = await fly.Machines.CreateMachineAsync(app, new CreateMachineRequest { Config = new MachineConfig { Image = "registry.fly.io/agentcluster-agent:latest", Env = agentEnv } });
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        // "started" means the process runs, as on Fly; the agent is ready to handle SIGINT once it says so.
        var log = await fly.LogPathAsync(app, m.Id);
        await Eventually.TrueAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("agentcluster-agent started"), Deadline, "the agent announced itself");
        await fly.Machines.StopMachineAsync(app, m.Id, new StopRequest());
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Stopped], Deadline);
        Assert.Equal(0, (await ExitsAsync(app, m.Id)).Single().ExitCode);
    }

    [Fact]
    public async Task A_crash_is_handled_by_the_restart_policy()
    {
        var app = await fly.NewAppAsync();
        var m = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("while :; do sleep 0.1; done"));
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        using var crash = await fly.Http.PostAsync(new Uri(fly.Emulator.BaseUrl, $"/_emulator/apps/{app}/machines/{m.Id}/crash"), null);
        crash.EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () => (await ExitsAsync(app, m.Id)).Count == 1, Deadline, "the crash was recorded");
        var exit = (await ExitsAsync(app, m.Id)).Single();
        Assert.Equal(9, exit.Signal);
        Assert.True(exit.Restarting, "on-failure (the default) restarts a killed process");
        await fly.Machines.WaitForStateAsync(app, m.Id, [MachineStates.Started], Deadline);
        await fly.Machines.DestroyMachineAsync(app, m.Id, force: true);
    }

    private async Task<List<ExitEvent>> ExitsAsync(string app, string machineId) =>
        (await fly.Machines.ListMachineEventsAsync(app, machineId, limit: 50)).Where(e => e.Type == "exit").Select(e => e.Request!.Exit!).Reverse().ToList();
}

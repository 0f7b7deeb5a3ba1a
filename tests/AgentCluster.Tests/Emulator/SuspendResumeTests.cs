using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.Tests.Emulator;

/// <summary>
/// Suspend and resume as Fly documents them (reference/suspend-resume): the processes are frozen, not ended, and a
/// start resumes them after <c>ResumeDelay</c>; a start while suspending calls the suspend off; a machine with swap,
/// a schedule or a GPU is refused. On a fake emulator clock, so each delay is asserted both sides of its end.
/// </summary>
public sealed class SuspendResumeTests : IAsyncLifetime
{
    private const string App = "suspend";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ResumeDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan SuspendDelay = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider clock = new(DateTimeOffset.Parse("2026-12-05T10:00:00Z"));
    private EmbeddedFlyEmulator emulator = null!;
    private Microsoft.Extensions.DependencyInjection.ServiceProvider services = null!;
    private EmulatorClient fly = null!;

    public async Task InitializeAsync()
    {
        emulator = await EmbeddedFlyEmulator.StartAsync(o => (o.ResumeDelay, o.SuspendDelay) = (ResumeDelay, SuspendDelay), time: clock);
        services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "t");
        fly = new EmulatorClient(services);
        await fly.Apps.CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task A_suspended_machine_resumes_the_same_process_after_the_resume_delay()
    {
        var (id, pid) = await StartedAsync();

        await fly.Machines.SuspendMachineAsync(App, id);
        Assert.Equal(MachineStates.Suspending, (await fly.Machines.GetMachineAsync(App, id)).State);
        await Eventually.TrueAsync(() => Processes.Frozen(pid), Deadline, "the process is frozen at once");
        clock.Advance(SuspendDelay);
        await fly.Machines.WaitForStateAsync(App, id, [MachineStates.Suspended], Deadline);
        Assert.True(Processes.Frozen(pid), "suspended: frozen, not ended");

        Assert.Equal(MachineStates.Suspended, (await fly.Machines.StartMachineAsync(App, id)).PreviousState);
        clock.Advance(ResumeDelay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(MachineStates.Starting, (await fly.Machines.GetMachineAsync(App, id)).State);
        Assert.True(Processes.Frozen(pid), "still restoring the snapshot");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await fly.Machines.WaitForStateAsync(App, id, [MachineStates.Started], Deadline);
        await Eventually.TrueAsync(() => !Processes.Frozen(pid), Deadline, "the same process carries on");
        Assert.Equal(pid, await PidAsync(id));
        var statuses = (await fly.Machines.ListMachineEventsAsync(App, id)).Select(e => $"{e.Type}/{e.Status}").Reverse();
        Assert.Equal(["suspend/suspending", "suspend/suspended", "start/starting", "start/started"], statuses.TakeLast(4));
    }

    [Fact]
    public async Task A_start_while_suspending_calls_the_suspend_off()
    {
        var (id, pid) = await StartedAsync();
        await fly.Machines.SuspendMachineAsync(App, id);
        await Eventually.TrueAsync(() => Task.FromResult(Processes.Frozen(pid)), Deadline, () => $"the process is frozen; /proc/{pid}/stat: {Stat(pid)}");

        Assert.Equal(MachineStates.Suspending, (await fly.Machines.StartMachineAsync(App, id)).PreviousState);
        await fly.Machines.WaitForStateAsync(App, id, [MachineStates.Started], Deadline);
        await Eventually.TrueAsync(() => !Processes.Frozen(pid), Deadline, "no snapshot to restore: the process carries on at once");
        Assert.Equal(pid, await PidAsync(id));

        // The called-off suspend's end comes and goes; the stop after it is the machine's next state.
        clock.Advance(SuspendDelay);
        await fly.Machines.StopMachineAsync(App, id, new StopRequest());
        await fly.Machines.WaitForStateAsync(App, id, [MachineStates.Stopped], Deadline);
        Assert.DoesNotContain(await fly.Machines.ListMachineEventsAsync(App, id), e => e.Status == MachineStates.Suspended);
    }

    [Fact]
    public async Task A_suspended_machine_that_is_stopped_is_killed_at_once_and_starts_cold()
    {
        var (id, pid) = await StartedAsync();
        await fly.Machines.SuspendMachineAsync(App, id);
        clock.Advance(SuspendDelay);
        await fly.Machines.WaitForStateAsync(App, id, [MachineStates.Suspended], Deadline);

        // No stop timeout passes on this clock: only a SIGKILL can end the frozen process.
        await fly.Machines.StopMachineAsync(App, id, new StopRequest());
        await fly.Machines.WaitForStateAsync(App, id, [MachineStates.Stopped], Deadline);
        Assert.False(Processes.Alive(pid));
        await fly.Machines.StartMachineAsync(App, id);
        await fly.Machines.WaitForStateAsync(App, id, [MachineStates.Started], Deadline);
        Assert.NotEqual(pid, await PidAsync(id));
    }

    [Theory]
    [InlineData("swap", "swap configured (init.swap_size_mb 512)")]
    [InlineData("schedule", "a schedule ('daily')")]
    [InlineData("gpu", "a GPU")]
    public async Task Fly_refuses_to_suspend_a_machine_with_swap_a_schedule_or_a_GPU(string what, string named)
    {
        var m = await fly.Machines.CreateMachineAsync(App, EmulatorFixture.Script("sleep 600", c => what switch
        {
            "swap" => c with { Init = c.Init! with { SwapSizeMb = 512 } },
            "schedule" => c with { Schedule = "daily" },
            _ => c with { Guest = new MachineGuest { CpuKind = "performance", Cpus = 8, MemoryMb = 32768, GpuKind = "a100-pcie-40gb", Gpus = 1 } },
        }));
        await fly.Machines.WaitForStateAsync(App, m.Id, [MachineStates.Started], Deadline);

        var refused = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.SuspendMachineAsync(App, m.Id));
        Assert.Equal(FlyErrorKind.FailedPrecondition, refused.Kind);
        Assert.StartsWith("failed_precondition: unable to suspend machine: machine has " + named, refused.FlyMessage);
        Assert.Equal(MachineStates.Started, (await fly.Machines.GetMachineAsync(App, m.Id)).State);
    }

    [Fact]
    public void A_negative_resume_delay_is_refused()
    {
        Assert.Contains("FlyEmulator:ResumeDelay must not be negative.", new EmulatorOptions { ResumeDelay = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Contains("FlyEmulator:SuspendDelay must not be negative.", new EmulatorOptions { SuspendDelay = TimeSpan.FromSeconds(-1) }.Validate());
    }

    private static string Stat(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat") + " children: " + string.Join(",", Processes.ChildrenOf(pid).Select(c => File.ReadAllText($"/proc/{c}/stat"))); }
        catch (IOException e) { return e.Message; }
    }

    private async Task<(string Id, int Pid)> StartedAsync()
    {
        // A process that never forks: one frozen while it forks stays in the kernel's vfork wait (state D, not T) for as
        // long as its frozen child does, which is frozen in effect but not what /proc calls stopped.
        var m = await fly.Machines.CreateMachineAsync(App, EmulatorFixture.Script("exec sleep 600"));
        await fly.Machines.WaitForStateAsync(App, m.Id, [MachineStates.Started], Deadline);
        return (m.Id, (await PidAsync(m.Id))!.Value);
    }

    private async Task<int?> PidAsync(string machineId)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t");
        var info = await http.GetFromJsonAsync<JsonObject>(new Uri(emulator.BaseUrl, $"/_emulator/apps/{App}/machines/{machineId}/process"));
        return info!["pid"]?.GetValue<int?>();
    }
}

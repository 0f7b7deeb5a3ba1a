using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Emulator;

/// <summary>
/// FlyEmulator:RunProcesses=false, for load tests: machines keep Fly's whole state machine and its events, but
/// nothing runs (the script below would leave a file if it did).
/// </summary>
public sealed class ProcesslessMachineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Machines_go_through_their_states_without_running_anything()
    {
        await using var fly = await EmulatorHost.StartInProcessAsync(o => o.RunProcesses = false);
        await fly.Apps.CreateAppAsync(new CreateAppRequest { Name = "load", OrgSlug = "personal" });

        var m = await fly.Machines.CreateMachineAsync("load", EmulatorFixture.Script("echo ran > ran.txt; sleep 60"));
        await fly.Machines.WaitForStateAsync("load", m.Id, [MachineStates.Started], Deadline);
        var process = await fly.ProcessInfoAsync("load", m.Id);
        Assert.Null(process.Pid);

        await fly.Machines.SuspendMachineAsync("load", m.Id);
        await fly.Machines.WaitForStateAsync("load", m.Id, [MachineStates.Suspended], Deadline);
        await fly.Machines.StartMachineAsync("load", m.Id);
        await fly.Machines.WaitForStateAsync("load", m.Id, [MachineStates.Started], Deadline);
        await fly.Machines.StopMachineAsync("load", m.Id, new StopRequest());
        await fly.Machines.WaitForStateAsync("load", m.Id, [MachineStates.Stopped], Deadline);
        await fly.Machines.DestroyMachineAsync("load", m.Id, force: false);

        var events = await fly.Machines.ListMachineEventsAsync("load", m.Id);
        Assert.Contains(events, e => e.Type == "exit" && e.Status == "stopped");
        Assert.Equal("destroyed", events[0].Status);
        Assert.False(File.Exists(Path.Combine(process.Rootfs, "ran.txt")));
    }
}

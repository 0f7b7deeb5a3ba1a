using System.Diagnostics;
using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Emulator;

/// <summary>
/// The emulator as its own process, as a user runs it (<c>dotnet AgentCluster.FlyEmulator.dll --urls …</c>): a
/// machine with init.exec runs that process, starts, stops and is destroyed; stopping the emulator leaves nothing behind.
/// </summary>
public sealed class StandaloneEmulatorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Runs_a_machine_end_to_end_and_cleans_up_on_exit()
    {
        var port = Ports.FreeLoopback();
        var marker = "standalone-" + Guid.NewGuid().ToString("N");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "AgentCluster.FlyEmulator.dll"), "--urls", $"http://127.0.0.1:{port}" })
            info.ArgumentList.Add(arg);
        using var emulator = Process.Start(info)!;
        var output = emulator.StandardOutput.ReadToEndAsync();
        try
        {
            await using var services = EmulatorHost.CreateClientServices(new Uri($"http://127.0.0.1:{port}"), "any-token");
            var fly = new EmulatorClient(services);
            await Eventually.TrueAsync(async () =>
            {
                try { await fly.Apps.CreateAppAsync(new CreateAppRequest { Name = "standalone", OrgSlug = "personal" }); return true; }
                catch (Exception e) when (e is HttpRequestException || e.InnerException is HttpRequestException) { return false; }
            }, Deadline, "the emulator listens");

            var m = await fly.Machines.CreateMachineAsync("standalone", EmulatorFixture.Script($"while :; do sleep 0.1; done # {marker}"));
            await fly.Machines.WaitForStateAsync("standalone", m.Id, [MachineStates.Started], Deadline);
            // The loop's shell forks for each sleep: for a moment before its exec the child has the shell's command line.
            await Eventually.TrueAsync(() => MarkedProcesses(marker).Count == 1, Deadline, "the machine's one process runs");

            await fly.Machines.StopMachineAsync("standalone", m.Id, new StopRequest());
            await fly.Machines.WaitForStateAsync("standalone", m.Id, [MachineStates.Stopped], Deadline);
            Assert.Empty(MarkedProcesses(marker));

            await fly.Machines.StartMachineAsync("standalone", m.Id);
            await fly.Machines.WaitForStateAsync("standalone", m.Id, [MachineStates.Started], Deadline);
            await fly.Machines.CreateMachineAsync("standalone", EmulatorFixture.Script($"trap '' INT TERM; while :; do sleep 0.1; done # {marker}"));
            await Eventually.TrueAsync(() => MarkedProcesses(marker).Count == 2, Deadline, "both machines run");

            await fly.Machines.DestroyMachineAsync("standalone", m.Id, force: true);
            Assert.Equal(MachineStates.Destroyed, (await fly.Machines.GetMachineAsync("standalone", m.Id)).State);
            await Eventually.TrueAsync(() => MarkedProcesses(marker).Count == 1, Deadline, "the destroyed machine's process is gone");
        }
        finally
        {
            // Ctrl-C, as a user stops it: every remaining machine dies with the emulator.
            _ = Signals.Interrupt(emulator.Id);
            if (!emulator.WaitForExit(TimeSpan.FromSeconds(30))) emulator.Kill(entireProcessTree: true);
        }
        await output;
        await Eventually.TrueAsync(() => MarkedProcesses(marker).Count == 0, Deadline, "no machine outlives the emulator");
    }

    private static List<int> MarkedProcesses(string marker) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Processes.Alive(pid) && Processes.CommandLine(pid).Contains(marker))
            .ToList();
}

using System.Diagnostics;
using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.FlyEmulator.State;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Emulator;

/// <summary>
/// Whom a machine runs as: a root emulator runs it as <c>FlyEmulator:RunAs</c> (default nobody), in folders that
/// user owns, its volume's files included; <c>RunAs=root</c> turns that off; an emulator that is not root runs
/// machines as itself.
/// </summary>
public sealed class MachineUserTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private const string Nobody = "65534";

    /// <summary>Private (mode 700), as a test's temp folder is: the emulator has to let its machines' user through.</summary>
    private readonly string data = Directory.CreateTempSubdirectory("machine-user-").FullName;

    [Fact]
    public async Task A_root_emulator_runs_the_machine_as_nobody_in_folders_it_owns_and_never_follows_a_link_out()
    {
        var host = Path.Combine(Path.GetDirectoryName(data)!, Path.GetFileName(data) + "-host.txt");
        File.WriteAllText(host, "the host's");
        try
        {
            await using var emulator = await EmbeddedFlyEmulator.StartAsync(o => o.DataDirectory = data);
            await using var services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "t");
            var fly = new EmulatorClient(services);
            await fly.Apps.CreateAppAsync(new CreateAppRequest { Name = "users", OrgSlug = "personal" });
            var volume = await fly.Volumes.CreateVolumeAsync("users", new CreateVolumeRequest { Name = "v", SizeGb = 1 });
            var folder = emulator.Services.GetRequiredService<EmulatorStore>().VolumeDirectory("users", volume.Id);
            // Put there by root before the machine runs, as a test or an operator would, and a link out of the volume.
            Directory.CreateDirectory(Path.Combine(folder, "src"));
            File.WriteAllText(Path.Combine(folder, "src", "seed.txt"), "seed\n");
            File.CreateSymbolicLink(Path.Combine(folder, "out"), host);

            var machine = await fly.Machines.CreateMachineAsync("users", EmulatorFixture.Script(
                "id -u > uid.txt; echo more >> src/seed.txt; touch \"$HOME/home.txt\"; echo done > done.txt; sleep 60",
                c => c with
                {
                    Env = new() { ["AGENTCLUSTER_WORKSPACE"] = "/workspace" },
                    Mounts = [new MachineMount { Volume = volume.Id, Path = "/workspace" }],
                }));
            await Eventually.TrueAsync(() => File.Exists(Path.Combine(folder, "done.txt")), Deadline, "the machine ran its script");

            var expected = Environment.IsPrivilegedProcess ? Nobody : Run("id", "-u");
            Assert.Equal(expected, File.ReadAllText(Path.Combine(folder, "uid.txt")).Trim());
            Assert.Equal("seed\nmore\n", File.ReadAllText(Path.Combine(folder, "src", "seed.txt"))); // root's file became its
            Assert.Equal(expected, OwnerOf(Path.Combine(folder, "src", "seed.txt")));
            Assert.Equal(expected, OwnerOf(Path.Combine(data, "users", machine.Id, "rootfs", "home.txt"))); // HOME is its rootfs
            Assert.Equal(Run("id", "-u"), OwnerOf(host)); // the link was not followed
            Assert.Equal("the host's", File.ReadAllText(host));

            // Root signals it like any other: a stop ends the machine.
            await fly.Machines.StopMachineAsync("users", machine.Id, new StopRequest());
            await fly.Machines.WaitForStateAsync("users", machine.Id, [MachineStates.Stopped], Deadline);
        }
        finally
        {
            File.Delete(host);
        }
    }

    [Fact]
    public async Task RunAs_root_runs_the_machine_as_the_emulators_own_user()
    {
        await using var emulator = await EmbeddedFlyEmulator.StartAsync(o => (o.DataDirectory, o.RunAs) = (data, "root"));
        await using var services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "t");
        var fly = new EmulatorClient(services);
        await fly.Apps.CreateAppAsync(new CreateAppRequest { Name = "root", OrgSlug = "personal" });
        var machine = await fly.Machines.CreateMachineAsync("root", EmulatorFixture.Script("id -u > uid.txt; mv uid.txt id.txt; sleep 60"));
        var written = Path.Combine(data, "root", machine.Id, "rootfs", "id.txt");
        await Eventually.TrueAsync(() => File.Exists(written), Deadline, "the machine ran its script");
        Assert.Equal(Run("id", "-u"), File.ReadAllText(written).Trim());
        await fly.Machines.DestroyMachineAsync("root", machine.Id, force: true);
    }

    [Fact]
    public void A_RunAs_user_the_host_does_not_have_is_refused_at_start_on_a_root_emulator()
    {
        var problems = new EmulatorOptions { RunAs = "no-such-user-" + Guid.NewGuid().ToString("N")[..8] }.Validate().ToList();
        if (Environment.IsPrivilegedProcess) Assert.Contains(problems, p => p.StartsWith("FlyEmulator:RunAs: there is no user", StringComparison.Ordinal));
        else Assert.Empty(problems); // not root: machines run as the emulator's user whatever RunAs says
        Assert.Empty(new EmulatorOptions().Validate());
        Assert.Empty(new EmulatorOptions { RunAs = "" }.Validate());
    }

    public void Dispose() => Directory.Delete(data, recursive: true);

    private static string OwnerOf(string path) => Run("stat", "-c", "%u", path);

    private static string Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }
}

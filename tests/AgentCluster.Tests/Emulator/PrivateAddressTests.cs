using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.FlyEmulator.Lifecycle;
using AgentCluster.FlyEmulator.State;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Emulator;

/// <summary>
/// Machines' private addresses, where their agents listen on one fixed port: never shared by two live machines, of one
/// emulator or of several on the host at once.
/// </summary>
public sealed class PrivateAddressTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_block_is_named_by_the_listening_port()
    {
        Assert.Equal("127.16.184.", PrivateAddresses.PrefixFor(4280));
        Assert.Equal("127.255.255.", PrivateAddresses.PrefixFor(65535));
        Assert.Equal("127.0.80.", PrivateAddresses.PrefixFor(80));
    }

    [Fact]
    public void Addresses_go_round_the_block_and_come_back_only_once_freed()
    {
        var addresses = new PrivateAddresses(() => 4280);
        var first = Enumerable.Range(0, 10).Select(_ => addresses.Allocate()).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"127.16.184.{n}"), first);

        addresses.Release("127.16.184.3");
        Assert.Equal("127.16.184.11", addresses.Allocate()); // not the one just freed

        for (var n = 12; n <= PrivateAddresses.BlockSize; n++) addresses.Allocate();
        Assert.Equal("127.16.184.3", addresses.Allocate()); // the only one free, once round the block
        var full = Assert.Throws<FlyError>(() => addresses.Allocate());
        Assert.Equal(422, full.StatusCode);
        Assert.Contains("127.16.184.0/24", full.Message);

        addresses.Release("127.1.1.7"); // another block's: not ours to free
        Assert.Throws<FlyError>(() => addresses.Allocate());
    }

    [Fact]
    public void An_emulator_without_processes_goes_round_its_block_without_limit()
    {
        var addresses = new PrivateAddresses(() => 4280, exclusive: false);
        for (var n = 1; n <= PrivateAddresses.BlockSize; n++) addresses.Allocate();

        Assert.Equal("127.16.184.1", addresses.Allocate()); // nobody listens there: sharing costs nothing
        Assert.Equal("127.16.184.2", addresses.Allocate());
    }

    [Fact]
    public async Task Two_emulators_on_one_host_give_their_machines_distinct_blocks()
    {
        await using var one = await StartAsync();
        await using var two = await StartAsync();

        var a = await one.Client.Machines.CreateMachineAsync(App, Sleeper());
        var b = await two.Client.Machines.CreateMachineAsync(App, Sleeper());

        Assert.StartsWith(PrivateAddresses.PrefixFor(one.Emulator.BaseUrl.Port), a.PrivateIp);
        Assert.StartsWith(PrivateAddresses.PrefixFor(two.Emulator.BaseUrl.Port), b.PrivateIp);
        Assert.NotEqual(a.PrivateIp, b.PrivateIp);
    }

    [Fact]
    public async Task A_stopped_machine_keeps_its_address_a_destroyed_ones_is_taken_again_when_the_block_is_full()
    {
        await using var fly = await StartAsync(runProcesses: true); // its agents would listen there: each address is one machine's
        var machines = fly.Client.Machines;
        var stopped = await machines.CreateMachineAsync(App, Sleeper());
        await machines.WaitForStateAsync(App, stopped.Id, [MachineStates.Started], Deadline);
        await machines.StopMachineAsync(App, stopped.Id, new StopRequest());
        await machines.WaitForStateAsync(App, stopped.Id, [MachineStates.Stopped], Deadline);
        Assert.Equal(stopped.PrivateIp, (await machines.GetMachineAsync(App, stopped.Id)).PrivateIp);

        var others = new List<Machine>();
        for (var i = 1; i < PrivateAddresses.BlockSize; i++) others.Add(await machines.CreateMachineAsync(App, Sleeper(skipLaunch: true)));
        Assert.DoesNotContain(stopped.PrivateIp, others.Select(m => m.PrivateIp));
        Assert.Equal(PrivateAddresses.BlockSize, others.Append(stopped).Select(m => m.PrivateIp).Distinct().Count());

        var full = await Assert.ThrowsAsync<FlyApiException>(() => machines.CreateMachineAsync(App, Sleeper()));
        Assert.Equal(FlyErrorKind.Unprocessable, full.Kind);

        await machines.DestroyMachineAsync(App, others[41].Id, force: true);
        var next = await machines.CreateMachineAsync(App, Sleeper(skipLaunch: true));
        Assert.Equal(others[41].PrivateIp, next.PrivateIp);
    }

    private const string App = "addresses";

    private static CreateMachineRequest Sleeper(bool skipLaunch = false) => EmulatorFixture.Script("sleep 60") with { SkipLaunch = skipLaunch };

    /// <summary>An emulator of its own, by default without processes: the addresses are the machines' state.</summary>
    private static async Task<LocalEmulator> StartAsync(bool runProcesses = false)
    {
        var emulator = await EmbeddedFlyEmulator.StartAsync(o => o.RunProcesses = runProcesses);
        var services = EmulatorHost.CreateClientServices(emulator.BaseUrl, "t");
        var local = new LocalEmulator(emulator, services);
        await local.Client.Apps.CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });
        return local;
    }

    private sealed class LocalEmulator(EmbeddedFlyEmulator emulator, Microsoft.Extensions.DependencyInjection.ServiceProvider services) : IAsyncDisposable
    {
        public EmbeddedFlyEmulator Emulator => emulator;

        public EmulatorClient Client { get; } = new(services);

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await emulator.DisposeAsync();
        }
    }
}

using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// The emulator tests' shared Fly: an <see cref="EmulatorHost"/> in this process for a test collection. Each test
/// makes its own app (<see cref="NewAppAsync"/>), so tests do not see each other's machines.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string Token = EmulatorHost.Token;

    public EmulatorHost Host { get; private set; } = null!;

    public EmbeddedFlyEmulator Emulator => Host.Embedded!;

    /// <summary>Raw HTTP with the token, for conformance checks on the exact JSON.</summary>
    public HttpClient Http => Host.Http;

    public IFlyAppsApi Apps => Host.Apps;
    public IFlyMachinesApi Machines => Host.Machines;
    public IFlyLeasesApi Leases => Host.Leases;
    public IFlyMetadataApi Metadata => Host.Metadata;
    public IFlyVolumesApi Volumes => Host.Volumes;

    public async Task InitializeAsync() => Host = await EmulatorHost.StartInProcessAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public Task<string> NewAppAsync() => Host.NewAppAsync();

    /// <summary>A machine running a shell script as its main process (Fly's init.exec).</summary>
    public static CreateMachineRequest Script(string script, Func<MachineConfig, MachineConfig>? configure = null, string? name = null)
    {
        var config = new MachineConfig { Image = "debian:bookworm-slim", Init = new MachineInit { Exec = ["/bin/sh", "-c", script] } };
        return new CreateMachineRequest { Config = configure?.Invoke(config) ?? config, Name = name };
    }

    public Task SetFaultsAsync(params FaultRule[] rules) => Host.SetFaultsAsync(rules);

    public Task SetRateLimitsAsync(bool enabled) => Host.SetRateLimitsAsync(enabled);

    public async Task<int?> ProcessIdAsync(string app, string machineId) => (await Host.ProcessInfoAsync(app, machineId)).Pid;

    public async Task<string> RootfsAsync(string app, string machineId) => (await Host.ProcessInfoAsync(app, machineId)).Rootfs;

    public async Task<string> LogPathAsync(string app, string machineId) => (await Host.ProcessInfoAsync(app, machineId)).LogPath;
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "emulator";
}

using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using System.Net.Http.Json;
using AgentCluster.Fly.Json;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>
/// The Machines emulator as its own process (so its work is neither the node's nor the load generator's),
/// with one app for the agents. <see cref="Processes"/> false: machines have Fly's whole state machine but
/// run nothing, and the harness plays their agents.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    public const string Token = "bench-fly-token";
    public const string App = "agentcluster-agents";

    /// <summary>The metadata key that names a machine's session (the node sets it on every machine it creates).</summary>
    private const string SessionMetadataKey = "agentcluster_session";

    private readonly ChildProcess process;
    private readonly ServiceProvider services;

    private EmulatorHost(ChildProcess process, Uri url, ServiceProvider services, bool processes)
    {
        this.process = process;
        this.services = services;
        Url = url;
        Processes = processes;
    }

    public Uri Url { get; }

    public bool Processes { get; }

    /// <summary>The product's own Fly client (Refit), pointed at the emulator.</summary>
    public IFlyMachinesApi Machines => services.GetRequiredService<IFlyMachinesApi>();

    /// <summary>What a node needs to drive this emulator as its Fly.</summary>
    public IReadOnlyDictionary<string, string> NodeEnvironment => new Dictionary<string, string>
    {
        ["FLY_API_URL"] = Url.ToString(),
        ["FLY_API_TOKEN"] = Token,
        ["FLY_APP_NAME"] = App,
    };

    public static async Task<EmulatorHost> StartAsync(bool processes)
    {
        var url = new Uri($"http://127.0.0.1:{Ports.FreeLoopback()}");
        var process = ChildProcess.StartDotnet("emulator", "AgentCluster.FlyEmulator",
        [
            "--urls", url.ToString(),
            "--FlyEmulator:ApiToken=" + Token,
            "--FlyEmulator:RunProcesses=" + processes,
            "--FlyEmulator:DestroyedRetention=00:00:01",
            "--Logging:LogLevel:Default=Warning",
        ]);
        var services = FlyClients(url);
        await process.WaitUntilAsync(async () =>
        {
            await services.GetRequiredService<IFlyAppsApi>().CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });
            return true;
        }, TimeSpan.FromSeconds(60), "creating the agents' app");
        return new EmulatorHost(process, url, services, processes);
    }

    /// <summary>The one live machine of a session.</summary>
    public async Task<Machine> SessionMachineAsync(string sessionId, CancellationToken cancellationToken)
    {
        var machines = await Machines.ListMachinesByMetadataAsync(App, SessionMetadataKey, sessionId, cancellationToken);
        return machines.Single(m => MachineStates.IsActive(m.State));
    }

    /// <summary>The local process behind a machine (the emulator's <c>/_emulator/…/process</c>): its pid (null when none runs) and its log file.</summary>
    public async Task<MachineProcessInfo> ProcessOfAsync(HttpClient http, string machineId, CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<MachineProcessInfo>(new Uri(Url, $"/_emulator/apps/{App}/machines/{machineId}/process"), FlyJson.Options, cancellationToken))!;

    /// <summary>
    /// Waits (Fly's /wait, answered as the state is reached) until the machine is destroyed, or gone: destroyed
    /// machines are kept only briefly.
    /// </summary>
    public async Task WaitDestroyedAsync(string machineId, TimeSpan deadline, CancellationToken cancellationToken)
    {
        try
        {
            await Machines.WaitForStateAsync(App, machineId, [MachineStates.Destroyed], deadline, cancellationToken: cancellationToken);
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.NotFound)
        {
        }
    }

    /// <summary>The Refit client with no retries and no client-side rate limit: a baseline must see the emulator as it is.</summary>
    private static ServiceProvider FlyClients(Uri url)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["FLY_API_URL"] = url.ToString(),
                ["FLY_API_TOKEN"] = Token,
                ["FLY_APP_NAME"] = App,
            })
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddFlyMachinesClient(configuration, o => o.ClientRateLimits = false);
        return services.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await process.DisposeAsync();
    }
}

/// <summary>What the emulator says of a machine's process.</summary>
public sealed record MachineProcessInfo(int? Pid, string Rootfs, string LogPath);

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Json;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Machines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Testing;

/// <summary>
/// The Machines emulator on a loopback port, and the product's own Fly client (Refit) wired to it exactly as a
/// node wires it (only the URL differs from Fly): in this process (<see cref="StartInProcessAsync"/>, the tests'
/// Fly), or as its own process (<see cref="StartAsync"/>, so that its work is neither the node's nor the load
/// generator's). Its control endpoints (<c>/_emulator/…</c>: faults, rate limits, a machine's process) are here too.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    public const string Token = "test-fly-token";

    /// <summary>The app made at start for a node's agents (<see cref="NodeEnvironment"/>); a test may make its own (<see cref="NewAppAsync"/>).</summary>
    public const string App = "agents";

    private readonly ServiceProvider services;
    private readonly ChildProcess? process;

    private EmulatorHost(Uri url, EmbeddedFlyEmulator? embedded, ChildProcess? process)
    {
        Url = url;
        Embedded = embedded;
        this.process = process;
        services = CreateClientServices(url, Token);
        Http = new HttpClient { BaseAddress = new Uri(url, "/v1/") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>The API's base URL without <c>/v1</c> (what FLY_API_URL takes).</summary>
    public Uri Url { get; }

    /// <summary>The emulator when it runs in this process (its services, for a test to look inside); null when it is a process.</summary>
    public EmbeddedFlyEmulator? Embedded { get; }

    /// <summary>Raw HTTP with the token (base address <c>/v1/</c>): for checks on the exact JSON and for the control endpoints.</summary>
    public HttpClient Http { get; }

    public IFlyAppsApi Apps => services.GetRequiredService<IFlyAppsApi>();
    public IFlyMachinesApi Machines => services.GetRequiredService<IFlyMachinesApi>();
    public IFlyLeasesApi Leases => services.GetRequiredService<IFlyLeasesApi>();
    public IFlyMetadataApi Metadata => services.GetRequiredService<IFlyMetadataApi>();
    public IFlyVolumesApi Volumes => services.GetRequiredService<IFlyVolumesApi>();

    /// <summary>What a node needs to drive this emulator as its Fly, with <see cref="App"/> for its agents.</summary>
    public IReadOnlyDictionary<string, string> NodeEnvironment => new Dictionary<string, string>
    {
        ["FLY_API_URL"] = Url.ToString(),
        ["FLY_API_TOKEN"] = Token,
        ["FLY_APP_NAME"] = App,
    };

    /// <summary>The emulator in this process, configured by <paramref name="configure"/> (its token is <see cref="Token"/>).</summary>
    public static async Task<EmulatorHost> StartInProcessAsync(Action<EmulatorOptions>? configure = null)
    {
        var emulator = await EmbeddedFlyEmulator.StartAsync(o =>
        {
            o.ApiToken = Token;
            configure?.Invoke(o);
        });
        var host = new EmulatorHost(emulator.BaseUrl, emulator, process: null);
        await host.Apps.CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });
        return host;
    }

    /// <summary>
    /// The emulator as its own process (the built AgentCluster.FlyEmulator). <paramref name="processes"/> false:
    /// machines have Fly's whole state machine but run nothing, and the caller plays their agents.
    /// <paramref name="settings"/>: more of its configuration (e.g. <c>FlyEmulator:RateLimits</c> = <c>true</c>).
    /// </summary>
    public static async Task<EmulatorHost> StartAsync(bool processes, IReadOnlyDictionary<string, string>? settings = null)
    {
        var url = new Uri($"http://127.0.0.1:{Ports.FreeLoopback()}");
        var process = ChildProcess.StartDotnet("emulator", "AgentCluster.FlyEmulator",
        [
            "--urls", url.ToString(),
            "--FlyEmulator:ApiToken=" + Token,
            "--FlyEmulator:RunProcesses=" + processes,
            "--FlyEmulator:DestroyedRetention=00:00:01",
            "--Logging:LogLevel:Default=Warning",
            .. (settings ?? new Dictionary<string, string>()).Select(s => $"--{s.Key}={s.Value}"),
        ], keptLines: 200);
        var host = new EmulatorHost(url, embedded: null, process);
        try
        {
            await process.WaitUntilAsync(async () =>
            {
                await host.Apps.CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });
                return true;
            }, TimeSpan.FromSeconds(60), "creating the agents' app");
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The client as a node registers it, configured through FLY_* variables; quick retries and no client-side rate limits.</summary>
    public static ServiceProvider CreateClientServices(Uri apiUrl, string token, Action<FlyOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FLY_API_URL"] = apiUrl.ToString(),
            ["FLY_API_TOKEN"] = token,
            ["FLY_APP_NAME"] = App,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFlyMachinesClient(configuration, options =>
        {
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
            // The callers' own clients set up, inspect and measure: the emulator as it is. Nodes keep to the limits unless told not to.
            options.ClientRateLimits = false;
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider();
    }

    /// <summary>An app of the caller's own, so that tests do not see each other's machines.</summary>
    public async Task<string> NewAppAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        await Apps.CreateAppAsync(new CreateAppRequest { Name = name, OrgSlug = "personal" });
        return name;
    }

    /// <summary>A session's machines that are not destroyed, asked the way a node asks: by its metadata.</summary>
    public async Task<IReadOnlyList<Machine>> LiveMachinesAsync(string sessionId, CancellationToken cancellationToken = default) =>
        (await Machines.ListMachinesByMetadataAsync(App, SessionMachines.SessionMetadataKey, sessionId, cancellationToken))
            .Where(m => MachineStates.IsActive(m.State)).ToList();

    /// <summary>The one live machine of a session.</summary>
    public async Task<Machine> SessionMachineAsync(string sessionId, CancellationToken cancellationToken = default) =>
        (await LiveMachinesAsync(sessionId, cancellationToken)).Single();

    /// <summary>
    /// Waits (Fly's /wait, answered as the state is reached) until the machine is destroyed, or gone: destroyed
    /// machines are kept only briefly.
    /// </summary>
    public async Task WaitDestroyedAsync(string machineId, TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        try
        {
            await Machines.WaitForStateAsync(App, machineId, [MachineStates.Destroyed], deadline, cancellationToken: cancellationToken);
        }
        catch (FlyApiException e) when (e.Kind == FlyErrorKind.NotFound)
        {
        }
    }

    /// <summary>The local process behind a machine (<c>/_emulator/…/process</c>): its pid (null when none runs), root and log file.</summary>
    public async Task<MachineProcessInfo> ProcessInfoAsync(string app, string machineId, CancellationToken cancellationToken = default) =>
        (await Http.GetFromJsonAsync<MachineProcessInfo>(new Uri(Url, $"/_emulator/apps/{app}/machines/{machineId}/process"), FlyJson.Options, cancellationToken))!;

    /// <summary>Switches the emulator's fault rules at run time (<c>/_emulator/faults</c>); none clears them.</summary>
    public Task SetFaultsAsync(params FaultRule[] rules) => PutControlAsync("faults", rules);

    /// <summary>Turns Fly's rate limits on or off (<c>/_emulator/rate-limits</c>).</summary>
    public Task SetRateLimitsAsync(bool enabled) => PutControlAsync("rate-limits", new { enabled });

    /// <summary>How many faults the emulator's active rules have injected, by rule action.</summary>
    public async Task<IReadOnlyList<(string Action, int Injected)>> InjectedFaultsAsync()
    {
        var rules = await Http.GetFromJsonAsync<List<JsonObject>>(new Uri(Url, "/_emulator/faults/injected"), FlyJson.Options);
        return rules!.Select(r => (r["action"]!.GetValue<string>(), r["injected"]!.GetValue<int>())).ToList();
    }

    private async Task PutControlAsync(string path, object body)
    {
        using var response = await Http.PutAsJsonAsync(new Uri(Url, "/_emulator/" + path), body, FlyJson.Options);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await services.DisposeAsync();
        if (Embedded is not null) await Embedded.DisposeAsync();
        if (process is not null) await process.DisposeAsync();
    }
}

/// <summary>What the emulator says of a machine's local process.</summary>
public sealed record MachineProcessInfo(int? Pid, string Rootfs, string LogPath);

using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Json;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// A running emulator on a loopback port, and the real client wired to it exactly as the orchestrator wires
/// it (only the URL differs from Fly). Each test makes its own app, so tests do not see each other's machines.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string Token = "test-token";

    private ServiceProvider? services;

    public EmbeddedFlyEmulator Emulator { get; private set; } = null!;

    /// <summary>Raw HTTP with the token, for conformance checks on the exact JSON.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await EmbeddedFlyEmulator.StartAsync(o => o.ApiToken = Token);
        Http = new HttpClient { BaseAddress = new Uri(Emulator.BaseUrl, "/v1/") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        services = CreateClientServices(Emulator.BaseUrl, Token);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (services is not null) await services.DisposeAsync();
        await Emulator.DisposeAsync();
    }

    public IFlyAppsApi Apps => services!.GetRequiredService<IFlyAppsApi>();
    public IFlyMachinesApi Machines => services!.GetRequiredService<IFlyMachinesApi>();
    public IFlyLeasesApi Leases => services!.GetRequiredService<IFlyLeasesApi>();
    public IFlyMetadataApi Metadata => services!.GetRequiredService<IFlyMetadataApi>();
    public IFlyVolumesApi Volumes => services!.GetRequiredService<IFlyVolumesApi>();

    /// <summary>The client as the orchestrator registers it, configured through FLY_* variables; quick retries and no client-side rate limits for tests.</summary>
    public static ServiceProvider CreateClientServices(Uri apiUrl, string token, Action<FlyOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FLY_API_URL"] = apiUrl.ToString(),
            ["FLY_API_TOKEN"] = token,
            ["FLY_APP_NAME"] = "tests",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFlyMachinesClient(configuration, options =>
        {
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
            options.ClientRateLimits = false; // tests' own clients set up and inspect; the nodes keep to the limits
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider();
    }

    public async Task<string> NewAppAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        await Apps.CreateAppAsync(new CreateAppRequest { Name = name, OrgSlug = "personal" });
        return name;
    }

    /// <summary>A machine running a shell script as its main process (Fly's init.exec).</summary>
    public static CreateMachineRequest Script(string script, Func<MachineConfig, MachineConfig>? configure = null, string? name = null)
    {
        var config = new MachineConfig { Image = "debian:bookworm-slim", Init = new MachineInit { Exec = ["/bin/sh", "-c", script] } };
        return new CreateMachineRequest { Config = configure?.Invoke(config) ?? config, Name = name };
    }

    public Task SetFaultsAsync(params FaultRule[] rules) => SetFaultsAsync(Http, Emulator, rules);

    /// <summary>Switches the emulator's fault rules at run time (its <c>/_emulator/faults</c> control endpoint).</summary>
    public static Task SetFaultsAsync(HttpClient http, EmbeddedFlyEmulator emulator, params FaultRule[] rules) =>
        PutControlAsync(http, emulator, "faults", rules);

    public Task SetRateLimitsAsync(bool enabled) => PutControlAsync(Http, Emulator, "rate-limits", new { enabled });

    public async Task<int?> ProcessIdAsync(string app, string machineId)
    {
        return (await ProcessInfoAsync(app, machineId)).Pid;
    }

    public async Task<string> RootfsAsync(string app, string machineId) => (await ProcessInfoAsync(app, machineId)).Rootfs;

    public async Task<string> LogPathAsync(string app, string machineId) => (await ProcessInfoAsync(app, machineId)).LogPath;

    private Task<ProcessInfo> ProcessInfoAsync(string app, string machineId) => ProcessInfoAsync(Http, Emulator, app, machineId);

    /// <summary>The local process behind a machine (the emulator's <c>/_emulator/…/process</c>).</summary>
    public static async Task<ProcessInfo> ProcessInfoAsync(HttpClient http, EmbeddedFlyEmulator emulator, string app, string machineId) =>
        (await http.GetFromJsonAsync<ProcessInfo>(new Uri(emulator.BaseUrl, $"/_emulator/apps/{app}/machines/{machineId}/process"), FlyJson.Options))!;

    /// <summary>How many faults the emulator's active rules have injected, by rule action.</summary>
    public static async Task<IReadOnlyList<(string Action, int Injected)>> InjectedFaultsAsync(HttpClient http, EmbeddedFlyEmulator emulator)
    {
        var rules = await http.GetFromJsonAsync<List<System.Text.Json.Nodes.JsonObject>>(new Uri(emulator.BaseUrl, "/_emulator/faults/injected"), FlyJson.Options);
        return rules!.Select(r => (r["action"]!.GetValue<string>(), r["injected"]!.GetValue<int>())).ToList();
    }

    private static async Task PutControlAsync(HttpClient http, EmbeddedFlyEmulator emulator, string path, object body)
    {
        using var response = await http.PutAsJsonAsync(new Uri(emulator.BaseUrl, "/_emulator/" + path), body, FlyJson.Options);
        response.EnsureSuccessStatusCode();
    }

    public sealed record ProcessInfo(int? Pid, string Rootfs, string LogPath);
}

[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>
{
    public const string Name = "emulator";
}

using System.Net;
using AgentCluster.Fly;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using AgentCluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Tests.Deploy;

/// <summary>
/// A node given the variables Fly sets in a Machine configures itself for Fly (its private IPv6 address, every
/// address to listen on, the Machine's id as its silo's name, HTTP on [::], agents calling back through the app's
/// private name), explicit settings still win, and outside a Machine nothing changes.
/// </summary>
public sealed class FlyNodeTests
{
    private const string PrivateIp = "fdaa:0:18:a7b:196:e274:9ce1:2";
    private const string MachineId = "e784eeeea29e68";

    private static Dictionary<string, string?> FlyMachine() => new()
    {
        [FlyMachineEnvironment.AppName] = "acme-orchestrator",
        [FlyMachineEnvironment.MachineId] = MachineId,
        [FlyMachineEnvironment.PrivateIp] = PrivateIp,
        ["FLY_REGION"] = "ams",
        ["FLY_ALLOC_ID"] = MachineId,
        ["FLY_IMAGE_REF"] = "registry.fly.io/acme-orchestrator:deployment-01",
        ["PRIMARY_REGION"] = "ams",
        ["FLY_VM_MEMORY_MB"] = "1024",
        [FlyOptions.AgentAppVariable] = "acme-agents",
        ["FLY_API_TOKEN"] = "FlyV1 test-token",
        // As on Fly: without it a node runs localhost clustering, which is loopback whatever else is set. Never
        // connected to here: only the node's options are read.
        ["REDIS_URL"] = "redis://127.0.0.1:1",
    };

    [Fact]
    public async Task In_a_Fly_Machine_the_node_takes_its_address_name_and_callback_from_Fly()
    {
        await using var node = Build(FlyMachine());

        var endpoints = node.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Parse(PrivateIp), endpoints.AdvertisedIPAddress);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 11111), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 30000), endpoints.GatewayListeningEndpoint);
        Assert.Equal(MachineId, node.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);

        var urls = ListenAddresses.Of(node.Configuration);
        Assert.Equal(["http://[::]:8080"], urls);
        Assert.True(ListenAddresses.IsBeyondLoopback(urls[0]), "so the node needs API keys there");
        Assert.Equal(["http://acme-orchestrator.internal:8080"], node.Services.GetRequiredService<IOptions<AgentSessionOptions>>().Value.CallbackUrls);

        // FLY_APP_NAME is the node's own app in a Machine: the agents' app is FLY_AGENT_APP.
        Assert.Equal("acme-agents", node.Services.GetRequiredService<IOptions<FlyOptions>>().Value.AppName);
    }

    [Fact]
    public async Task PORT_moves_the_listening_port_and_the_callback_with_it()
    {
        var settings = FlyMachine();
        settings["PORT"] = "9090";
        await using var node = Build(settings);
        Assert.Equal(["http://[::]:9090"], ListenAddresses.Of(node.Configuration));
        Assert.Equal(["http://acme-orchestrator.internal:9090"], node.Services.GetRequiredService<IOptions<AgentSessionOptions>>().Value.CallbackUrls);
    }

    [Fact]
    public async Task Explicit_settings_win_over_Fly_s_variables()
    {
        var settings = FlyMachine();
        settings["Orleans:Endpoints:AdvertisedIPAddress"] = "fdaa:0:18:a7b:196:e274:9ce1:99";
        settings["Orleans:Endpoints:ListenOnAnyHostAddress"] = "false";
        settings["Orleans:SiloName"] = "named-by-hand";
        settings["AGENTCLUSTER_CALLBACK_URLS"] = "http://acme-orchestrator.flycast:8080";
        settings["urls"] = "http://[::]:7070"; // ASPNETCORE_URLS, as the host reads it
        await using var node = Build(settings);

        var endpoints = node.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Parse("fdaa:0:18:a7b:196:e274:9ce1:99"), endpoints.AdvertisedIPAddress);
        Assert.Equal(IPAddress.Parse("fdaa:0:18:a7b:196:e274:9ce1:99"), endpoints.SiloListeningEndpoint!.Address);
        Assert.Equal("named-by-hand", node.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
        Assert.Equal(["http://acme-orchestrator.flycast:8080"], node.Services.GetRequiredService<IOptions<AgentSessionOptions>>().Value.CallbackUrls);
        Assert.Equal(["http://[::]:7070"], ListenAddresses.Of(node.Configuration));
    }

    [Fact]
    public async Task In_a_Fly_Machine_FLY_APP_NAME_never_names_the_agents_app()
    {
        var settings = FlyMachine();
        settings.Remove(FlyOptions.AgentAppVariable);
        await using var node = Build(settings);
        var failure = Assert.Throws<OptionsValidationException>(() => node.Services.GetRequiredService<IOptions<FlyOptions>>().Value);
        Assert.Contains(failure.Failures, f => f.Contains(FlyOptions.AgentAppVariable));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(MachineId, null)] // both variables, or it is not a Fly Machine
    [InlineData(null, PrivateIp)]
    public async Task Outside_a_Fly_Machine_nothing_changes(string? machineId, string? privateIp)
    {
        await using var node = Build(new()
        {
            [FlyMachineEnvironment.MachineId] = machineId,
            [FlyMachineEnvironment.PrivateIp] = privateIp,
            [FlyMachineEnvironment.AppName] = "legacy-agents",
            ["FLY_API_TOKEN"] = "test-token",
        });

        var endpoints = node.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 11111), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 30000), endpoints.GatewayListeningEndpoint);
        Assert.NotEqual(MachineId, node.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
        Assert.Equal([ListenAddresses.Default], ListenAddresses.Of(node.Configuration));
        Assert.Empty(node.Services.GetRequiredService<IOptions<AgentSessionOptions>>().Value.CallbackUrls);
        // Outside Fly, FLY_APP_NAME still names the agents' app, as it always has.
        Assert.Equal("legacy-agents", node.Services.GetRequiredService<IOptions<FlyOptions>>().Value.AppName);
    }

    [Fact]
    public async Task Outside_a_Fly_Machine_PORT_stays_on_loopback()
    {
        await using var node = Build(new() { ["PORT"] = "9090", ["FLY_API_TOKEN"] = "test-token", [FlyOptions.AgentAppVariable] = "agents" });
        Assert.Equal(["http://127.0.0.1:9090"], ListenAddresses.Of(node.Configuration));
    }

    /// <summary>
    /// A real node process with Fly's variables, its addresses held on loopback by explicit settings (binding a
    /// Fly private address would fail here): it joins the cluster under the Machine's id.
    /// </summary>
    [Fact]
    public async Task A_node_process_in_a_Fly_Machine_joins_the_cluster_named_after_the_Machine()
    {
        await using var redis = await RedisHost.StartAsync();
        var clusterId = "fly-" + Guid.NewGuid().ToString("N")[..8];
        var httpPort = Ports.FreeLoopback();
        // A node in a Machine drives Fly itself: here the emulator stands in for it, as a separate service.
        await using var fly = await EmbeddedFlyEmulator.StartAsync(o => o.ApiToken = "fly-node-test");
        var env = FlyMachine().ToDictionary(kv => kv.Key, kv => kv.Value!);
        env["FLY_API_URL"] = fly.BaseUrl.ToString();
        env["FLY_API_TOKEN"] = "fly-node-test";
        env["REDIS_URL"] = redis.Url;
        env["Orleans__ClusterId"] = clusterId;
        env["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1";
        env["Orleans__Endpoints__ListenOnAnyHostAddress"] = "false";
        env["PORT"] = ""; // PORT would mean [::] in a Machine: loopback through ASPNETCORE_URLS instead
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        env["AGENTCLUSTER_CALLBACK_URLS"] = $"http://127.0.0.1:{httpPort}";
        await using var node = await NodeHost.StartAsync(env, httpPort);

        await using var connection = await redis.ConnectAsync();
        var members = $"agentcluster/members/{clusterId}";
        await Eventually.TrueAsync(async () =>
        {
            var entries = (await connection.GetDatabase().HashGetAllAsync(members)).Select(e => e.Value.ToString());
            return entries.Any(m => m.Contains($"127.0.0.1:{node.SiloPort}") && m.Contains(MachineId));
        }, TimeSpan.FromSeconds(60), () => $"the silo registered as {MachineId}; node log: {node.Log}");
    }

    [Fact]
    public async Task In_a_Fly_Machine_a_node_without_a_Fly_token_or_Redis_refuses_to_start_naming_both()
    {
        var settings = FlyMachine();
        settings.Remove("FLY_API_TOKEN");
        settings.Remove("REDIS_URL");
        await using var node = Build(settings);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => node.StartAsync());
        var failures = failure is AggregateException all ? all.InnerExceptions : [failure];
        var messages = string.Join("\n", failures.OfType<OptionsValidationException>().SelectMany(f => f.Failures));
        Assert.Contains("FLY_API_TOKEN is required in a Fly Machine", messages);
        Assert.Contains("REDIS_URL is required in a Fly Machine", messages);
    }

    /// <summary>The node's hosting as Program.cs composes it, built (not started) from exactly these settings.</summary>
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Configuration.AddInMemoryCollection(settings);
        FlyNode.Apply(builder);
        ListenAddresses.Apply(builder);
        builder.AddClusterNode();
        builder.Services.AddFlyMachinesClient(builder.Configuration);
        builder.Services.AddSessions(builder.Configuration);
        return builder.Build();
    }
}

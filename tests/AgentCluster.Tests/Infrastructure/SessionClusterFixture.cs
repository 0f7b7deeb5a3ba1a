using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Cost;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Logging;
using AgentCluster.Silo.Pool;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Secrets;
using AgentCluster.Silo.Storage;
using AgentCluster.Silo.Telemetry;
using AgentCluster.Silo.Workspaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans cluster hosting the real SessionGrain, wired exactly as a node wires it, against the
/// Machines emulator. Machines run an idle process (the tests play the agent through the grain interface), so
/// each test sees the machine calls a session makes and nothing else.
/// </summary>
public class SessionClusterFixture : IAsyncLifetime
{
    public const string App = "sessions";
    public const string IdleImage = "test/idle:latest";

    public EmulatorHost Emulator { get; private set; } = null!;
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IFlyMachinesApi Machines => Emulator.Machines;
    public IFlyVolumesApi Volumes => Emulator.Volumes;
    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorHost.StartInProcessAsync(o => o.Images["test/idle*"] = new ImageCommand { Cmd = ["sleep", "600"] });
        await Emulator.Apps.CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["FLY_API_URL"] = Emulator.Url.ToString(),
                ["FLY_API_TOKEN"] = EmulatorHost.Token,
                ["FLY_APP_NAME"] = App,
                ["FLY_AGENT_IMAGE"] = IdleImage,
                ["AGENTCLUSTER_CALLBACK_URLS"] = "http://127.0.0.1:9",
                // The sessions' rules, not Fly's budget, are under test here: every create goes at once.
                ["Fly:ClientRateLimits"] = "false",
            };
            Configure(settings, host.Services);
            host.Configuration.AddInMemoryCollection(settings);
            host.Services.AddFlyMachinesClient(host.Configuration, o => o.Retry.BaseDelay = TimeSpan.FromMilliseconds(20));
            host.Services.AddSessions(host.Configuration);
            // The features a session's grains use, as Program.cs registers them (the front door's are not needed here).
            host.Services.AddReaping(host.Configuration).AddSessionSecrets(host.Configuration).AddWorkspaces().AddGrainLogScopes()
                .AddSessionTelemetry().AddCost(host.Configuration).AddSessionStorage(host.Configuration).AddMachinePool(host.Configuration);
        });
        builder.ConfigureSilo((_, silo) => silo.AddMemoryGrainStorage(ClusterHosting.StorageName).UseInMemoryReminderService());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>For fixtures that need other settings or services than the defaults.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings, IServiceCollection services)
    {
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Emulator.DisposeAsync();
    }

    public ISessionGrain Session(string id) => Grains.GetGrain<ISessionGrain>(id);

    public static string NewId() => "t" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The agent's token, read where the agent reads it: its machine's environment.</summary>
    public async Task<string> AgentTokenAsync(string machineId)
    {
        var machine = await Machines.GetMachineAsync(App, machineId);
        return machine.Config!.Env![AgentEnvironment.SessionToken];
    }

    public Task SetFaultsAsync(params FaultRule[] rules) => Emulator.SetFaultsAsync(rules);

    /// <summary>The session's events after <paramref name="after"/>, up to its last one now (or <paramref name="until"/>).</summary>
    public static async Task<List<SessionEvent>> ReadAllAsync(ISessionGrain session, long after, long? until = null)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<SessionEvent>();
        var status = (await session.GetAsync())!;
        var last = until ?? status.LastEventId;
        if (after >= last) return events;
        await foreach (var e in session.WatchAsync(after, deadline.Token))
        {
            events.Add(e);
            if (e.Seq >= last) break;
        }
        return events;
    }

    public static AgentEventBatch Output(string instance, int turn, params (long Seq, string Text)[] lines) =>
        new(instance, lines.Select(l => new AgentEvent
        {
            Seq = l.Seq,
            Type = EventTypes.AgentOutput,
            Turn = turn,
            Payload = $$"""{"stream":"stdout","text":"{{l.Text}}"}""",
        }).ToList());

    public static AgentEvent TurnCompleted(long seq, int turn) => new()
    {
        Seq = seq,
        Type = EventTypes.TurnCompleted,
        Turn = turn,
        Payload = """{"outcome":"success","exit_code":0}""",
    };
}

[CollectionDefinition(Name)]
public sealed class SessionClusterCollection : ICollectionFixture<SessionClusterFixture>
{
    public const string Name = "session-cluster";
}

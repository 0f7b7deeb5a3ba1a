using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Machines;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// Several node processes on one real redis-server and one Machines emulator, whose machines run the real
/// agent. Every agent is told every node's URL (AGENTCLUSTER_CALLBACK_URLS), so it can fail over; each node
/// names itself first, so an agent first calls the node whose grain created its machine (see <see cref="HostOfAsync"/>).
/// Membership is tuned to declare a dead node within a few seconds.
/// </summary>
public sealed class NodeCluster : IAsyncDisposable
{
    public const string Token = "node-cluster-token";
    public const string App = "agents";

    /// <summary>Orleans declares a silo dead after 2 missed 1 s probes (production: 3 of 5 s).</summary>
    public static readonly IReadOnlyDictionary<string, string> QuickMembership = new Dictionary<string, string>
    {
        ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
        ["Orleans__Membership__NumMissedProbesLimit"] = "2",
        ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
    };

    private readonly ServiceProvider fly;

    private NodeCluster(RedisServer redis, EmbeddedFlyEmulator emulator, ServiceProvider fly, List<NodeProcess> nodes)
    {
        Redis = redis;
        Emulator = emulator;
        this.fly = fly;
        Nodes = nodes;
        Control = new HttpClient();
        Control.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public RedisServer Redis { get; }
    public EmbeddedFlyEmulator Emulator { get; }
    public IReadOnlyList<NodeProcess> Nodes { get; }
    public IFlyMachinesApi Machines => fly.GetRequiredService<IFlyMachinesApi>();

    /// <summary>For the emulator's control endpoints (<see cref="EmulatorFixture.SetFaultsAsync(HttpClient, EmbeddedFlyEmulator, FaultRule[])"/>).</summary>
    public HttpClient Control { get; }

    public static async Task<NodeCluster> StartAsync(
        int nodes, bool appendOnlyRedis = false, IReadOnlyDictionary<string, string>? environment = null, Action<EmulatorOptions>? emulatorOptions = null)
    {
        var redis = await RedisServer.StartAsync(appendOnlyRedis);
        var emulator = await EmbeddedFlyEmulator.StartAsync(o =>
        {
            o.ApiToken = Token;
            emulatorOptions?.Invoke(o);
        });
        var fly = EmulatorFixture.CreateClientServices(emulator.BaseUrl, Token);
        await fly.GetRequiredService<IFlyAppsApi>().CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });

        var ports = Enumerable.Range(0, nodes).Select(_ => Ports.FreeLoopback()).ToList();
        var env = new Dictionary<string, string>(QuickMembership)
        {
            ["REDIS_URL"] = redis.Url,
            ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging__Console__UseUtcTimestamp"] = "true",
            ["Orleans__ClusterId"] = "c-" + Guid.NewGuid().ToString("N")[..8],
            ["FLY_API_URL"] = emulator.BaseUrl.ToString(),
            ["FLY_API_TOKEN"] = Token,
            ["FLY_APP_NAME"] = App,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) env[key] = value;
        var started = new List<NodeProcess>();
        for (var i = 0; i < nodes; i++)
        {
            var itselfFirst = ports.Skip(i).Concat(ports.Take(i));
            env["AGENTCLUSTER_CALLBACK_URLS"] = string.Join(',', itselfFirst.Select(p => $"http://127.0.0.1:{p}"));
            started.Add(await NodeProcess.StartAsync(env, ports[i]));
        }
        return new NodeCluster(redis, emulator, fly, started);
    }

    /// <summary>Creates a session through <paramref name="node"/>; fails unless it is 201.</summary>
    public static async Task<string> CreateSessionAsync(NodeProcess node, string prompt, string? sessionId = null)
    {
        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt, session_id = sessionId });
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"create answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
    }

    /// <summary>
    /// The node whose session grain created the session's machine (it logs it before the create is answered):
    /// that node hosted the grain then, and it is the first address the session's agent calls.
    /// </summary>
    public async Task<NodeProcess> HostOfAsync(string sessionId)
    {
        NodeProcess? host = null;
        await Eventually.TrueAsync(() => (host = Nodes.SingleOrDefault(n => n.Log.Contains($"Session {sessionId} started on machine"))) is not null,
            TimeSpan.FromSeconds(10), $"a node logs that it started session {sessionId}");
        return host!;
    }

    /// <summary>The session's machines that are not destroyed, asked the way the node asks: by its metadata.</summary>
    public async Task<IReadOnlyList<Machine>> LiveMachinesAsync(string sessionId) =>
        (await Machines.ListMachinesByMetadataAsync(App, SessionMachines.SessionMetadataKey, sessionId))
            .Where(m => MachineStates.IsActive(m.State)).ToList();

    /// <summary>What the agent in the session's machine has logged (its machine's log file).</summary>
    public async Task<string> AgentLogAsync(string sessionId)
    {
        var machine = Assert.Single(await LiveMachinesAsync(sessionId));
        return await File.ReadAllTextAsync((await EmulatorFixture.ProcessInfoAsync(Control, Emulator, App, machine.Id)).LogPath);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        Control.Dispose();
        await fly.DisposeAsync();
        await Emulator.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>
/// Tests that run several node processes and their agents: one at a time and not beside other tests, so that
/// their deadlines measure the product, not a starved two-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NodeClusterCollection
{
    public const string Name = "node-cluster";
}

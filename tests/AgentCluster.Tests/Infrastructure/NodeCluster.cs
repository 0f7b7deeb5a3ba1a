using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// Several node processes on one real redis-server and one Machines emulator, whose machines run the real
/// agent. Every agent is told every node's URL (AGENTCLUSTER_CALLBACK_URLS), so it can fail over; each node
/// names itself first, so an agent first calls the node whose grain created its machine (see <see cref="HostOfAsync"/>).
/// Membership is tuned to declare a dead node within a few seconds.
/// </summary>
public sealed class NodeCluster : IAsyncDisposable
{
    public const string App = EmulatorHost.App;

    /// <summary>Orleans declares a silo dead after 2 missed 1 s probes (production: 3 of 5 s).</summary>
    public static readonly IReadOnlyDictionary<string, string> QuickMembership = new Dictionary<string, string>
    {
        ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
        ["Orleans__Membership__NumMissedProbesLimit"] = "2",
        ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
    };

    private NodeCluster(RedisHost redis, EmulatorHost emulator, IReadOnlyList<NodeHost> nodes)
    {
        Redis = redis;
        Emulator = emulator;
        Nodes = nodes;
    }

    public RedisHost Redis { get; }
    public EmulatorHost Emulator { get; }
    public IReadOnlyList<NodeHost> Nodes { get; }
    public IFlyMachinesApi Machines => Emulator.Machines;

    /// <summary>For the emulator's control endpoints (with its token).</summary>
    public HttpClient Control => Emulator.Http;

    public static async Task<NodeCluster> StartAsync(
        int nodes, bool appendOnlyRedis = false, IReadOnlyDictionary<string, string>? environment = null, Action<EmulatorOptions>? emulatorOptions = null)
    {
        var redis = await RedisHost.StartAsync(appendOnlyRedis);
        var emulator = await EmulatorHost.StartInProcessAsync(emulatorOptions);
        return new NodeCluster(redis, emulator, await NodeHost.StartClusterAsync(nodes, NodeEnvironment(redis, emulator, environment)));
    }

    /// <summary>What every node of such a cluster is started with (<paramref name="environment"/> last, so it may override).</summary>
    public static Dictionary<string, string> NodeEnvironment(RedisHost redis, EmulatorHost emulator, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(QuickMembership)
        {
            ["REDIS_URL"] = redis.Url,
            ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging__Console__UseUtcTimestamp"] = "true",
        };
        foreach (var (key, value) in emulator.NodeEnvironment) env[key] = value;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) env[key] = value;
        return env;
    }

    /// <summary>Creates a session through <paramref name="node"/>; fails unless it is 201.</summary>
    public static async Task<string> CreateSessionAsync(NodeHost node, string prompt, string? sessionId = null)
    {
        var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt, session_id = sessionId });
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"create answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
    }

    /// <summary>
    /// The node whose session grain created the session's machine (it logs it before the create is answered):
    /// that node hosted the grain then, and it is the first address the session's agent calls.
    /// </summary>
    public async Task<NodeHost> HostOfAsync(string sessionId)
    {
        NodeHost? host = null;
        await Eventually.TrueAsync(() => (host = Nodes.SingleOrDefault(n => n.Log.Contains($"Session {sessionId} started on machine"))) is not null,
            TimeSpan.FromSeconds(10), $"a node logs that it started session {sessionId}");
        return host!;
    }

    /// <summary>The session's machines that are not destroyed, asked the way the node asks: by its metadata.</summary>
    public Task<IReadOnlyList<Machine>> LiveMachinesAsync(string sessionId) => Emulator.LiveMachinesAsync(sessionId);

    /// <summary>What the agent in the session's machine has logged (its machine's log file).</summary>
    public async Task<string> AgentLogAsync(string sessionId)
    {
        var machine = Assert.Single(await LiveMachinesAsync(sessionId));
        return await File.ReadAllTextAsync((await Emulator.ProcessInfoAsync(App, machine.Id)).LogPath);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
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

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>
/// An orchestrator node (the built AgentCluster.Silo) as its own process on free loopback ports, configured as
/// a user would configure it: with REDIS_URL for the Redis mode, without it for the embedded one, and always
/// with the harness's emulator as its Fly.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private NodeHost(ChildProcess process, int port)
    {
        Process = process;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public ChildProcess Process { get; }

    public Uri Url { get; }

    /// <summary>Starts nodes that form one cluster (on <paramref name="redis"/>, or one embedded node when it is null).</summary>
    public static async Task<IReadOnlyList<NodeHost>> StartClusterAsync(
        int count, EmulatorHost fly, RedisHost? redis, IReadOnlyDictionary<string, string>? settings = null)
    {
        // A port free when picked may be taken (by another process's outgoing connection) before the node binds
        // it: the cluster then starts again on new ports, a bounded number of times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartClusterAsync(count, fly, redis, settings);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task<IReadOnlyList<NodeHost>> TryStartClusterAsync(
        int count, EmulatorHost fly, RedisHost? redis, IReadOnlyDictionary<string, string>? settings)
    {
        if (redis is null && count != 1) throw new ArgumentException("The embedded mode is one node.", nameof(count));
        var ports = Enumerable.Range(0, count).Select(_ => Ports.FreeLoopback()).ToList();
        var env = new Dictionary<string, string>(fly.NodeEnvironment)
        {
            ["Orleans__ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            // The benchmarks measure the product against an emulator that answers at once: Fly's own
            // limit (one create a second per app, bursts of 3) would be all a create figure showed.
            ["Fly__ClientRateLimits"] = "false",
        };
        if (redis is not null) env["REDIS_URL"] = redis.Url;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;

        var nodes = new List<NodeHost>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                // Each node names itself first, so an agent calls the node that made its machine first.
                env["AGENTCLUSTER_CALLBACK_URLS"] = string.Join(',', ports.Skip(i).Concat(ports.Take(i)).Select(p => $"http://127.0.0.1:{p}"));
                nodes.Add(await StartAsync(ports[i], env));
            }
            return nodes;
        }
        catch
        {
            foreach (var node in nodes) await node.DisposeAsync();
            throw;
        }
    }

    private static async Task<NodeHost> StartAsync(int port, Dictionary<string, string> environment)
    {
        var env = new Dictionary<string, string>(environment)
        {
            ["PORT"] = port.ToString(),
            ["Orleans__Endpoints__SiloPort"] = Ports.FreeLoopback().ToString(),
            ["Orleans__Endpoints__GatewayPort"] = Ports.FreeLoopback().ToString(),
        };
        var process = ChildProcess.StartDotnet($"node:{port}", "AgentCluster.Silo", [], env);
        var node = new NodeHost(process, port);
        using var http = new HttpClient { BaseAddress = node.Url };
        await process.WaitUntilAsync(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(90), "serving /health");
        return node;
    }

    /// <summary>The node's resident memory (VmRSS), in bytes.</summary>
    public long ResidentBytes() => ProcessStats.ResidentBytes(Process.Pid);

    /// <summary>CPU time the node has used so far (user + system).</summary>
    public TimeSpan CpuTime() => ProcessStats.CpuTime(Process.Pid);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

using System.Net.Http.Headers;

namespace AgentCluster.Testing;

/// <summary>
/// An orchestrator node as its own process (the built AgentCluster.Silo) on free loopback ports, configured as a
/// user would configure it: through its environment (REDIS_URL for the Redis mode, FLY_* for its Fly). Everything
/// it writes is kept in <see cref="Log"/>, so a test can read what an operator would see.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private NodeHost(ChildProcess process, int httpPort, int siloPort)
    {
        Process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
        Http = Client();
    }

    public ChildProcess Process { get; }
    public int HttpPort { get; }
    public int SiloPort { get; }

    /// <summary>A client of this node without credentials.</summary>
    public HttpClient Http { get; }

    /// <summary>The node's base URL, without a trailing slash.</summary>
    public string Url => $"http://127.0.0.1:{HttpPort}";

    public int Pid => Process.Pid;
    public bool HasExited => Process.HasExited;

    /// <summary>What the node wrote so far, stdout and stderr line by line.</summary>
    public string Log => Process.Log;

    /// <summary>A client of this node sending <c>Authorization: Bearer <paramref name="apiKey"/></c> (none when null).</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>Starts a node and waits until it serves /health.</summary>
    /// <param name="httpPort">The port to serve on; a free one when null.</param>
    /// <param name="keptLines">How many of its last log lines to keep; all when null.</param>
    public static async Task<NodeHost> StartAsync(IReadOnlyDictionary<string, string> environment, int? httpPort = null, int? keptLines = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(environment, httpPort ?? Ports.FreeLoopback(), keptLines);
            }
            // A port free when picked may be taken before the node binds it (by any bind to an ephemeral port, the node's
            // own embedded emulator's included): a port picked here is picked again, a bounded number of times.
            catch (InvalidOperationException e) when (httpPort is null && attempt < 3 && PortTaken(e))
            {
            }
        }
    }

    private static bool PortTaken(InvalidOperationException e) => e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static async Task<NodeHost> StartOnceAsync(IReadOnlyDictionary<string, string> environment, int httpPort, int? keptLines)
    {
        var node = Launch(environment, httpPort, keptLines);
        try
        {
            await node.Process.WaitUntilAsync(async () => (await node.Http.GetAsync("/health")).IsSuccessStatusCode, StartDeadline, "serving /health");
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="count"/> nodes of one cluster (a new cluster id, unless the environment names one).
    /// Every node is told every node's URL (AGENTCLUSTER_CALLBACK_URLS), itself first, so that an agent first calls
    /// the node that made its machine and can fail over to the others.
    /// </summary>
    public static async Task<IReadOnlyList<NodeHost>> StartClusterAsync(int count, IReadOnlyDictionary<string, string> environment, int? keptLines = null)
    {
        // A port free when picked may be taken (by another process's outgoing connection) before the node binds
        // it: the cluster then starts again on new ports, a bounded number of times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartClusterAsync(count, environment, keptLines);
            }
            catch (InvalidOperationException e) when (attempt < 3 && PortTaken(e))
            {
            }
        }
    }

    private static async Task<IReadOnlyList<NodeHost>> TryStartClusterAsync(int count, IReadOnlyDictionary<string, string> environment, int? keptLines)
    {
        var ports = Enumerable.Range(0, count).Select(_ => Ports.FreeLoopback()).ToList();
        var env = new Dictionary<string, string>(environment);
        env.TryAdd("Orleans__ClusterId", "c-" + Guid.NewGuid().ToString("N")[..8]);
        var nodes = new List<NodeHost>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                env["AGENTCLUSTER_CALLBACK_URLS"] = CallbackUrls(ports, i);
                nodes.Add(await StartAsync(env, ports[i], keptLines));
            }
            return nodes;
        }
        catch
        {
            foreach (var node in nodes) await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>AGENTCLUSTER_CALLBACK_URLS for the node on <c>ports[node]</c>: every node's URL, its own first.</summary>
    public static string CallbackUrls(IReadOnlyList<int> ports, int node) =>
        string.Join(',', ports.Skip(node).Concat(ports.Take(node)).Select(p => $"http://127.0.0.1:{p}"));

    /// <summary>Starts a node that is expected to refuse to start: its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Log)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, TimeSpan deadline)
    {
        await using var node = Launch(environment, Ports.FreeLoopback(), keptLines: null);
        var exitCode = await node.Process.WaitForExitAsync(deadline);
        return (exitCode, node.Log);
    }

    private static NodeHost Launch(IReadOnlyDictionary<string, string> environment, int httpPort, int? keptLines)
    {
        var (silo, gateway) = (Ports.FreeLoopback(), Ports.FreeLoopback());
        var env = new Dictionary<string, string>
        {
            ["PORT"] = httpPort.ToString(),
            ["Orleans__Endpoints__SiloPort"] = silo.ToString(),
            ["Orleans__Endpoints__GatewayPort"] = gateway.ToString(),
        };
        foreach (var (key, value) in environment) env[key] = value;
        return new NodeHost(ChildProcess.StartDotnet($"node:{httpPort}", "AgentCluster.Silo", [], env, keptLines), httpPort, silo);
    }

    /// <summary>SIGKILL, and waits until the process is gone: a crash, nothing of the node runs on.</summary>
    public Task KillAsync() => Process.KillAsync();

    /// <summary>SIGTERM, as Fly stops a machine; waits for the exit (failing past <paramref name="deadline"/>).</summary>
    /// <returns>The exit code and how long the node took to exit.</returns>
    public Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan deadline) => Process.TerminateAsync(deadline);

    /// <summary>Stops the node as Ctrl-C would (killing it if it hangs) and returns everything it wrote.</summary>
    public async Task<string> StopAsync()
    {
        Http.Dispose();
        return await Process.StopAsync();
    }

    /// <summary>The node's resident memory (VmRSS), in bytes.</summary>
    public long ResidentBytes() => Processes.ResidentBytes(Pid);

    /// <summary>The node's peak resident memory since <see cref="ResetPeakResident"/> (or its start).</summary>
    public long PeakResidentBytes() => Processes.PeakResidentBytes(Pid);

    public void ResetPeakResident() => Processes.ResetPeakResident(Pid);

    /// <summary>CPU time the node has used so far (user + system).</summary>
    public TimeSpan CpuTime() => Processes.CpuTime(Pid);

    public async ValueTask DisposeAsync() => await StopAsync();
}

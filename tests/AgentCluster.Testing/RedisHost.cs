using StackExchange.Redis;

namespace AgentCluster.Testing;

/// <summary>
/// A real redis-server on a free loopback port, killed when disposed. Without persistence by default (the
/// figures and tests are about the product's use of Redis, not the disk); with <c>appendOnly</c> it keeps an
/// append-only file in a data directory of its own, so it can be killed and started again on the same port with
/// its data (<see cref="KillAsync"/>, <see cref="StartAgainAsync"/>).
/// </summary>
public sealed class RedisHost : IAsyncDisposable
{
    private readonly bool appendOnly;
    private readonly string directory;
    private readonly Lazy<ConnectionMultiplexer> connection;
    private ChildProcess process;

    private RedisHost(int port, bool appendOnly)
    {
        Port = port;
        this.appendOnly = appendOnly;
        directory = Directory.CreateTempSubdirectory("agentcluster-redis-").FullName;
        connection = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(Configuration(allowAdmin: true)));
        process = Launch();
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>The caller's own long-lived connection (admin commands allowed), opened on first use: for reading INFO, or data.</summary>
    public ConnectionMultiplexer Connection => connection.Value;

    public IServer Server => Connection.GetServer("127.0.0.1", Port);

    public static async Task<RedisHost> StartAsync(bool appendOnly = false)
    {
        var server = new RedisHost(Ports.FreeLoopback(), appendOnly);
        await server.WaitUntilAnsweringAsync();
        return server;
    }

    /// <summary>A new connection of the caller's.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(Configuration(allowAdmin: false));

    /// <summary>SIGKILL: Redis is gone at once, as in a crash; what it acknowledged is in its append-only file.</summary>
    public Task KillAsync() => process.KillAsync();

    /// <summary>Starts it again on the same port and data directory (it loads its append-only file).</summary>
    public async Task StartAgainAsync()
    {
        await process.DisposeAsync();
        process = Launch();
        await WaitUntilAnsweringAsync();
    }

    /// <summary>Bytes Redis has received from all its clients (INFO stats total_net_input_bytes): what was sent to it to write.</summary>
    public Task<long> NetInputBytesAsync() => InfoLongAsync("stats", "total_net_input_bytes");

    /// <summary>Commands Redis has processed (INFO stats total_commands_processed).</summary>
    public Task<long> CommandsAsync() => InfoLongAsync("stats", "total_commands_processed");

    public Task<long> UsedMemoryAsync() => InfoLongAsync("memory", "used_memory");

    private async Task<long> InfoLongAsync(string section, string key)
    {
        var info = await Server.InfoAsync(section);
        return long.Parse(info.SelectMany(g => g).First(kv => kv.Key == key).Value);
    }

    public async ValueTask DisposeAsync()
    {
        if (connection.IsValueCreated) await connection.Value.DisposeAsync();
        await KillAsync();
        await process.DisposeAsync();
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }

    private string Configuration(bool allowAdmin) => $"127.0.0.1:{Port},abortConnect=true,connectTimeout=1000" + (allowAdmin ? ",allowAdmin=true" : "");

    private ChildProcess Launch()
    {
        string[] persistence = appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
        // redis-server's log is kept for a failure's message; tests/run.sh installs the server when it is missing.
        return ChildProcess.Start("redis-server", "redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", directory, .. persistence],
            workingDirectory: directory, keptLines: 200);
    }

    private Task WaitUntilAnsweringAsync() => process.WaitUntilAsync(async () =>
    {
        await using var probe = await ConnectAsync();
        // A restarted server answers LOADING until its append-only file is read back.
        await probe.GetDatabase().PingAsync();
        return probe.IsConnected;
    }, TimeSpan.FromSeconds(20), "answering PING");
}

using StackExchange.Redis;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>A redis-server on a free loopback port, without persistence (the figures are about the product's use of Redis, not the disk).</summary>
public sealed class RedisHost : IAsyncDisposable
{
    private readonly ChildProcess process;
    private readonly string directory;

    private RedisHost(ChildProcess process, int port, string directory, ConnectionMultiplexer connection)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
        Connection = connection;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>The harness's own connection, for the Redis baselines and for reading INFO.</summary>
    public ConnectionMultiplexer Connection { get; }

    public IServer Server => Connection.GetServer("127.0.0.1", Port);

    public static async Task<RedisHost> StartAsync()
    {
        var port = Ports.FreeLoopback();
        var directory = Directory.CreateTempSubdirectory("agentcluster-bench-redis-").FullName;
        var process = ChildProcess.Start("redis-server", "redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory]);
        ConnectionMultiplexer? connection = null;
        await process.WaitUntilAsync(async () =>
        {
            connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=true,connectTimeout=1000,allowAdmin=true");
            await connection.GetDatabase().PingAsync();
            return true;
        }, TimeSpan.FromSeconds(20), "answering PING");
        return new RedisHost(process, port, directory, connection!);
    }

    /// <summary>Bytes Redis has received from all its clients (INFO stats total_net_input_bytes): what was sent to it to write.</summary>
    public async Task<long> NetInputBytesAsync() => await InfoLongAsync("stats", "total_net_input_bytes");

    /// <summary>Commands Redis has processed (INFO stats total_commands_processed).</summary>
    public async Task<long> CommandsAsync() => await InfoLongAsync("stats", "total_commands_processed");

    public async Task<long> UsedMemoryAsync() => await InfoLongAsync("memory", "used_memory");

    private async Task<long> InfoLongAsync(string section, string key)
    {
        var info = await Server.InfoAsync(section);
        return long.Parse(info.SelectMany(g => g).First(kv => kv.Key == key).Value);
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await process.DisposeAsync();
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }
}

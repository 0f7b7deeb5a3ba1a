using System.Diagnostics;
using StackExchange.Redis;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port, killed when disposed. Without persistence by default; with
/// <c>appendOnly</c> it keeps an append-only file in a data directory of its own, so it can be killed and
/// started again on the same port with its data (<see cref="KillAsync"/>, <see cref="StartAgainAsync"/>).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly bool appendOnly;
    private readonly string directory;
    private Process process;

    private RedisServer(int port, bool appendOnly)
    {
        Port = port;
        this.appendOnly = appendOnly;
        directory = Directory.CreateTempSubdirectory("agentcluster-redis-").FullName;
        process = Launch();
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(bool appendOnly = false)
    {
        var server = new RedisServer(Ports.FreeLoopback(), appendOnly);
        await server.WaitUntilAnsweringAsync();
        return server;
    }

    /// <summary>SIGKILL: Redis is gone at once, as in a crash; what it acknowledged is in its append-only file.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Starts it again on the same port and data directory (it loads its append-only file).</summary>
    public async Task StartAgainAsync()
    {
        process.Dispose();
        process = Launch();
        await WaitUntilAnsweringAsync();
    }

    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},abortConnect=true,connectTimeout=1000");

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
    }

    private Process Launch()
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        string[] persistence = appendOnly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
        string[] args = ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", directory, .. persistence];
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var started = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (tests/run.sh installs it)");
        _ = started.StandardOutput.ReadToEndAsync();
        _ = started.StandardError.ReadToEndAsync();
        return started;
    }

    private Task WaitUntilAnsweringAsync() => Eventually.TrueAsync(async () =>
    {
        try
        {
            await using var connection = await ConnectAsync();
            // A restarted server answers LOADING until its append-only file is read back.
            await connection.GetDatabase().PingAsync();
            return connection.IsConnected;
        }
        catch (RedisException)
        {
            return false;
        }
    }, TimeSpan.FromSeconds(20), "redis-server answers");
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// An orchestrator node as its own process (the built AgentCluster.Silo), on free loopback ports. Everything it
/// writes to stdout and stderr is kept in <see cref="Log"/>, so a test can read what an operator would see.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly Task streams;
    private bool stopped;

    private NodeProcess(Process process, int httpPort, int siloPort)
    {
        this.process = process;
        streams = Task.WhenAll(KeepAsync(process.StandardOutput), KeepAsync(process.StandardError));
        HttpPort = httpPort;
        SiloPort = siloPort;
        Http = Client();
    }

    public int HttpPort { get; }
    public int SiloPort { get; }
    public HttpClient Http { get; }
    public string Url => $"http://127.0.0.1:{HttpPort}";
    public int Pid => process.Id;
    public bool HasExited => process.HasExited;

    /// <summary>What the node wrote so far, stdout and stderr line by line.</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>A client of this node sending <c>Authorization: Bearer <paramref name="apiKey"/></c> (none when null).</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public static async Task<NodeProcess> StartAsync(IReadOnlyDictionary<string, string> environment, int? httpPort = null)
    {
        var node = Launch(environment, httpPort);
        await Eventually.TrueAsync(async () =>
        {
            if (node.process.HasExited)
            {
                await node.streams;
                Assert.Fail($"the node exited with {node.process.ExitCode}: {node.Log}");
            }
            try { return (await node.Http.GetAsync("/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60), "the node serves /health");
        return node;
    }

    /// <summary>Starts a node that is expected to refuse to start: its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Log)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, TimeSpan deadline)
    {
        await using var node = Launch(environment, httpPort: null);
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await node.process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the node did not exit within {deadline.TotalSeconds:0} s: {node.Log}");
        }
        await node.streams;
        return (node.process.ExitCode, node.Log);
    }

    private static NodeProcess Launch(IReadOnlyDictionary<string, string> environment, int? httpPort)
    {
        var (http, silo, gateway) = (httpPort ?? Ports.FreeLoopback(), Ports.FreeLoopback(), Ports.FreeLoopback());
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AgentCluster.Silo.dll"));
        info.Environment["PORT"] = http.ToString();
        info.Environment["Orleans__Endpoints__SiloPort"] = silo.ToString();
        info.Environment["Orleans__Endpoints__GatewayPort"] = gateway.ToString();
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return new NodeProcess(Process.Start(info)!, http, silo);
    }

    private async Task KeepAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
            lock (log) log.AppendLine(line);
    }

    /// <summary>SIGKILL, and waits until the process is gone: a crash, nothing of the node runs on.</summary>
    public async Task KillAsync()
    {
        _ = Signals.Kill(process.Id);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Fly stops a machine; waits for the exit (failing past <paramref name="deadline"/>).</summary>
    /// <returns>The exit code and how long the node took to exit.</returns>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan deadline)
    {
        var took = Stopwatch.StartNew();
        _ = Signals.Terminate(process.Id);
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the node did not exit within {deadline.TotalSeconds:0} s of SIGTERM: {Log}");
        }
        return (process.ExitCode, took.Elapsed);
    }

    /// <summary>Stops the node as Ctrl-C would (killing it if it hangs) and returns everything it wrote.</summary>
    public async Task<string> StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            Http.Dispose();
            if (!process.HasExited)
            {
                _ = Signals.Interrupt(process.Id);
                if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            await streams;
            process.Dispose();
        }
        return Log;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

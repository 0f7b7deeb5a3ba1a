using System.Diagnostics;
using System.Text;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>An orchestrator node as its own process (the built AgentCluster.Silo), on free loopback ports.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private NodeProcess(Process process, int httpPort, int siloPort)
    {
        this.process = process;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        HttpPort = httpPort;
        SiloPort = siloPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    }

    public int HttpPort { get; }
    public int SiloPort { get; }
    public HttpClient Http { get; }
    public string Url => $"http://127.0.0.1:{HttpPort}";
    public int Pid => process.Id;
    public bool HasExited => process.HasExited;

    /// <summary>What the node has logged so far (stdout and stderr, as lines arrive).</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public static async Task<NodeProcess> StartAsync(IReadOnlyDictionary<string, string> environment, int? httpPort = null)
    {
        var (http, silo, gateway) = (httpPort ?? Ports.FreeLoopback(), Ports.FreeLoopback(), Ports.FreeLoopback());
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AgentCluster.Silo.dll"));
        info.Environment["PORT"] = http.ToString();
        info.Environment["Orleans__Endpoints__SiloPort"] = silo.ToString();
        info.Environment["Orleans__Endpoints__GatewayPort"] = gateway.ToString();
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var node = new NodeProcess(Process.Start(info)!, http, silo);
        await Eventually.TrueAsync(async () =>
        {
            if (node.process.HasExited) Assert.Fail($"the node exited with {node.process.ExitCode}: {node.Output}");
            try { return (await node.Http.GetAsync("/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60), "the node serves /health");
        return node;
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
            Assert.Fail($"the node did not exit within {deadline.TotalSeconds:0} s of SIGTERM: {Output}");
        }
        return (process.ExitCode, took.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            _ = Signals.Interrupt(process.Id);
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }
}

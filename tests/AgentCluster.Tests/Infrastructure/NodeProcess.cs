using System.Diagnostics;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>An orchestrator node as its own process (the built AgentCluster.Silo), on free loopback ports.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task<string> output;

    private NodeProcess(Process process, int httpPort, int siloPort)
    {
        this.process = process;
        output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        HttpPort = httpPort;
        SiloPort = siloPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    }

    public int HttpPort { get; }
    public int SiloPort { get; }
    public HttpClient Http { get; }

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
            if (node.process.HasExited) Assert.Fail($"the node exited with {node.process.ExitCode}: {await node.output}");
            try { return (await node.Http.GetAsync("/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60), "the node serves /health");
        return node;
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
}

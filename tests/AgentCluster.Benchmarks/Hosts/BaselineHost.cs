using AgentCluster.Benchmarks.Baselines;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>The <see cref="BaselineServer"/> as its own process on a free loopback port.</summary>
public sealed class BaselineHost : IAsyncDisposable
{
    private readonly ChildProcess process;

    private BaselineHost(ChildProcess process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<BaselineHost> StartAsync()
    {
        var url = new Uri($"http://127.0.0.1:{Ports.FreeLoopback()}");
        var process = ChildProcess.StartDotnet("baseline", "AgentCluster.Benchmarks", [BaselineServer.Command, "--urls", url.ToString()]);
        using var http = new HttpClient { BaseAddress = url };
        await process.WaitUntilAsync(async () => (await http.GetAsync("/constant")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "serving /constant");
        return new BaselineHost(process, url);
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}

using System.Diagnostics;
using System.Net;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Harness;

/// <summary>
/// What every scenario shares: the run's mode (full or smoke), one HTTP client setup for the product and its
/// baselines alike, the baseline server, and the log. Scenarios start their own nodes, Redis and emulator
/// (each needs other settings) and stop them before the next one starts.
/// </summary>
public sealed class Bench(bool smoke) : IAsyncDisposable
{
    private readonly SocketsHttpHandler handler = new()
    {
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
    };
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Dictionary<string, LoadResult> baselines = [];
    private BaselineHost? baseline;

    /// <summary>Tiny counts and durations: the harness is exercised, its figures mean nothing.</summary>
    public bool Smoke { get; } = smoke;

    public int Count(int full, int smoke) => Smoke ? smoke : full;

    public TimeSpan Seconds(double full, double smoke) => TimeSpan.FromSeconds(Smoke ? smoke : full);

    /// <summary>Before each measured load: connections opened, code jitted, caches filled.</summary>
    public TimeSpan WarmUp => Seconds(3, 0.3);

    public void Log(string line) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss\\.f}] {line}");

    /// <summary>A client over the shared connection pool: the product and its baselines are called the same way.</summary>
    public HttpClient Client(Uri baseAddress, string? bearer = null)
    {
        var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return client;
    }

    /// <summary>A client of a node (<see cref="NodeHost.Url"/>), over the same pool.</summary>
    public HttpClient Client(string baseAddress, string? bearer = null) => Client(new Uri(baseAddress), bearer);

    public async Task<BaselineHost> BaselineAsync() => baseline ??= await BaselineHost.StartAsync();

    /// <summary>
    /// The bare-Kestrel baseline at this concurrency (measured once per run and kept): GET, or POST of
    /// <paramref name="body"/> as JSON, answered with a constant.
    /// </summary>
    public async Task<LoadResult> ConstantBaselineAsync(int concurrency, string? body, TimeSpan duration, CancellationToken cancellationToken)
    {
        var key = $"{concurrency}:{body?.Length}:{duration}";
        if (baselines.TryGetValue(key, out var known)) return known;
        using var http = Client((await BaselineAsync()).Url);
        var result = await ClosedLoop.RunAsync(concurrency, WarmUp, duration, async (_, ct) =>
        {
            using var response = body is null
                ? await http.GetAsync("/constant", ct)
                : await http.PostAsync("/constant", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(ct);
        }, cancellationToken);
        Log($"baseline kestrel constant ({(body is null ? "GET" : "POST")}) at {concurrency}: {result.PerSecond:0} req/s, p50 {result.Latencies.P50:0.00} ms, p99 {result.Latencies.P99:0.00} ms");
        return baselines[key] = result;
    }

    public async ValueTask DisposeAsync()
    {
        if (baseline is not null) await baseline.DisposeAsync();
        handler.Dispose();
    }
}

using System.Text;
using System.Text.Json;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 1. POST /sessions at 1, 16 and 64 concurrent clients, on a Redis-mode node whose emulator answers at once.
/// The orchestrator's overhead is the create's latency minus that of the Fly create it makes, measured
/// straight against the emulator by the same client at the same concurrency.
/// </summary>
public sealed class CreateScenario : IScenario
{
    public int Number => 1;
    public string Name => "create";
    public string Description => "POST /sessions at 1, 16, 64 concurrent clients (Redis mode, emulator without processes)";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        await using var fly = await EmulatorHost.StartAsync(processes: false);
        await using var redis = await RedisHost.StartAsync();
        // No agent ever calls in: the boot grace is long enough that no session is reaped while measuring.
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, NodeSettings.NoReaping);
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);
        using var flyHttp = bench.Client(fly.Url, EmulatorHost.Token);

        var metrics = new List<Metric>();
        var duration = bench.Seconds(10, 0.5);
        foreach (var concurrency in new[] { 1, 16, 64 })
        {
            var (cpu, commands) = (node.CpuTime(), await redis.CommandsAsync());
            var create = await ClosedLoop.RunAsync(concurrency, bench.WarmUp, duration,
                (_, ct) => SessionsClient.CreateAsync(http, "echo bench", ct), cancellationToken);
            // Per create, warm-up included: what a create costs the node and Redis, whatever else the machine runs.
            var creates = create.Operations + create.WarmUpOperations;
            (cpu, commands) = (node.CpuTime() - cpu, await redis.CommandsAsync() - commands);
            var flyCreate = await ClosedLoop.RunAsync(concurrency, bench.WarmUp, duration,
                (_, ct) => CreateMachineAsync(flyHttp, ct), cancellationToken);
            var constant = await bench.ConstantBaselineAsync(concurrency, """{"prompt":"echo bench","runtime":"shell"}""", duration, cancellationToken);
            bench.Log($"create at {concurrency}: {create.PerSecond:0}/s p50 {create.Latencies.P50:0.00} p99 {create.Latencies.P99:0.00} ms; " +
                      $"fly create p50 {flyCreate.Latencies.P50:0.00} p99 {flyCreate.Latencies.P99:0.00} ms; failures {create.Failures} {create.FirstFailure}");
            Failures.ThrowIfAny("POST /sessions", create);
            Failures.ThrowIfAny("Fly create", flyCreate);

            var p50 = new Metric($"POST /sessions p50 @{concurrency}", create.Latencies.P50, "ms").Against("fly create p50", flyCreate.Latencies.P50);
            var p99 = new Metric($"POST /sessions p99 @{concurrency}", create.Latencies.P99, "ms").Against("fly create p99", flyCreate.Latencies.P99);
            var overhead50 = new Metric($"overhead p50 @{concurrency}", create.Latencies.P50 - flyCreate.Latencies.P50, "ms").Against("kestrel constant p50", constant.Latencies.P50);
            var overhead99 = new Metric($"overhead p99 @{concurrency}", create.Latencies.P99 - flyCreate.Latencies.P99, "ms").Against("kestrel constant p99", constant.Latencies.P99);
            metrics.AddRange(concurrency == 64 ? [p50, p99, overhead50.AtMost(2), overhead99.AtMost(10)] : [p50, p99, overhead50, overhead99]);
            metrics.Add(new Metric($"creates/s @{concurrency}", create.PerSecond, "/s").Against("kestrel constant req/s", constant.PerSecond));
            metrics.Add(new Metric($"node CPU per create @{concurrency}", cpu.TotalMilliseconds / creates, "ms"));
            metrics.Add(new Metric($"Redis commands per create @{concurrency}", (double)commands / creates, ""));
        }
        return new ScenarioReport(Name, Description, metrics,
        [
            "overhead = POST /sessions latency − the Fly create latency (the same client, straight to the emulator, same concurrency), per percentile.",
            "Fly's client-side rate limit is off here; on Fly, one create a second per app (bursts of 3) bounds create throughput, not the node.",
        ]);
    }

    /// <summary>A machine create shaped like a session's (image, env, metadata, guest), straight to the emulator.</summary>
    private static async Task CreateMachineAsync(HttpClient fly, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new
        {
            name = "bench-" + Guid.NewGuid().ToString("N"),
            region = "iad",
            config = new
            {
                image = "agentcluster-agent:latest",
                env = new Dictionary<string, string>
                {
                    ["AGENTCLUSTER_SESSION_ID"] = Guid.NewGuid().ToString("N"),
                    ["AGENTCLUSTER_SESSION_TOKEN"] = Guid.NewGuid().ToString("N"),
                    ["AGENTCLUSTER_RUNTIME"] = "shell",
                },
                guest = new { cpu_kind = "shared", cpus = 1, memory_mb = 256 },
                metadata = new { bench = "baseline" },
                restart = new { policy = "no" },
            },
        });
        using var response = await fly.PostAsync($"/v1/apps/{EmulatorHost.App}/machines", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }
}

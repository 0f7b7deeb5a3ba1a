using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 2. Agent heartbeats from many sessions at 16 and 64 concurrent agents' calls, on one Redis-mode node: each
/// call picks the next session round-robin, so the load is spread like thousands of quiet agents calling in.
/// The goal is half the requests a second of a bare Kestrel answering a constant to a body of the same size.
/// </summary>
public sealed class HeartbeatScenario : IScenario
{
    public int Number => 2;
    public string Name => "heartbeats";
    public string Description => "agent heartbeats over many sessions at 16 and 64 concurrent calls (Redis mode, one node)";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        await using var fly = await EmulatorHost.StartAsync(processes: false);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, NodeSettings.NoReaping);
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);

        var count = bench.Count(2000, 20);
        var ids = await SessionsClient.CreateManyAsync(http, count, 32, cancellationToken);
        var agents = new SimulatedAgent[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (i, ct) => agents[i] = await SimulatedAgent.ForSessionAsync(fly, http, ids[i], ct));
        bench.Log($"{count} sessions created, their agents found");

        var next = -1;
        Task Heartbeat(int _, CancellationToken ct) => agents[(int)((uint)Interlocked.Increment(ref next) % count)].HeartbeatAsync(ct);

        var metrics = new List<Metric>();
        var duration = bench.Seconds(10, 0.5);
        var body = JsonSerializer.Serialize(new AgentHello(Guid.NewGuid().ToString("N")), ProtocolJson.Options);
        foreach (var concurrency in new[] { 16, 64 })
        {
            // Warmed up apart, so the node's CPU time is read around the measured calls only.
            await ClosedLoop.RunAsync(concurrency, TimeSpan.Zero, bench.WarmUp, Heartbeat, cancellationToken);
            var cpuBefore = node.CpuTime();
            var heartbeats = await ClosedLoop.RunAsync(concurrency, TimeSpan.Zero, duration, Heartbeat, cancellationToken);
            var cpu = node.CpuTime() - cpuBefore;
            Failures.ThrowIfAny("POST heartbeat", heartbeats);
            var constant = await bench.ConstantBaselineAsync(concurrency, body, duration, cancellationToken);
            var cpuPerCall = cpu.TotalMicroseconds / heartbeats.Operations;
            bench.Log($"heartbeats at {concurrency}: {heartbeats.PerSecond:0}/s p50 {heartbeats.Latencies.P50:0.00} p99 {heartbeats.Latencies.P99:0.00} ms, node CPU {cpuPerCall:0} µs/heartbeat");

            metrics.Add(new Metric($"heartbeats/s @{concurrency}", heartbeats.PerSecond, "/s").Against("kestrel constant POST req/s", constant.PerSecond).RatioAtLeast(0.5));
            metrics.Add(new Metric($"heartbeat p50 @{concurrency}", heartbeats.Latencies.P50, "ms").Against("kestrel constant POST p50", constant.Latencies.P50));
            metrics.Add(new Metric($"heartbeat p99 @{concurrency}", heartbeats.Latencies.P99, "ms").Against("kestrel constant POST p99", constant.Latencies.P99));
            metrics.Add(new Metric($"node CPU per heartbeat @{concurrency}", cpuPerCall, "µs"));
        }
        return new ScenarioReport(Name, Description, metrics,
        [
            $"{count} sessions, each heartbeat to the next session round-robin; the baseline POSTs a body of the heartbeat's size ({body.Length} B) to a bare Kestrel in its own process.",
            "node CPU per heartbeat = the node process's user + system CPU time over the measured calls ÷ heartbeats (/proc, 10 ms ticks); the load generator runs on the same cores.",
        ]);
    }
}

using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Baselines;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 3. The event relay, agent push → SSE reader, across two Redis-mode nodes. Simulated agents push batches of
/// agent.output events as fast as the node takes them, to 1 and to 10 readers per session spread over both
/// nodes (a session's only reader on the node its agent does not call, so every event crosses nodes); then
/// at a modest fixed rate, for the latency the relay adds when nothing queues. Every reader must get every
/// event in order, or the scenario fails: a relay that loses events has no throughput figure.
/// </summary>
public sealed class RelayScenario : IScenario
{
    /// <summary>Bytes of an event's payload JSON: a line or two of an agent's output.</summary>
    private const int EventSize = 200;

    /// <summary>Events per push when saturating: a busy agent's batch.</summary>
    private const int SaturatingBatch = 50;

    /// <summary>The moderate load: a couple of events per session every 10 ms, a fraction of what the nodes take when saturated.</summary>
    private const int ModerateBatch = 2;
    private static readonly TimeSpan ModerateInterval = TimeSpan.FromMilliseconds(10);

    public int Number => 3;
    public string Name => "relay";
    public string Description => "agents push output batches to 1 and 10 SSE readers per session across two nodes (Redis mode)";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        await using var fly = await EmulatorHost.StartAsync(processes: false);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(2, fly, redis, NodeSettings.NoReaping);
        await using var first = nodes[0];
        await using var second = nodes[1];
        var clients = nodes.Select(n => bench.Client(n.Url)).ToList();
        try
        {
            return await MeasureAsync(bench, fly, clients, cancellationToken);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private async Task<ScenarioReport> MeasureAsync(Bench bench, EmulatorHost fly, List<HttpClient> nodes, CancellationToken cancellationToken)
    {
        var sessions = bench.Count(20, 2);
        var duration = bench.Seconds(10, 0.5);
        var metrics = new List<Metric>();
        var dataSize = FrameDataSize();

        // Cold nodes JIT the whole path on their first pushes and streams: a short run first, not measured.
        await RelayAsync(bench, nodes, await StartTurnsAsync(fly, nodes, sessions, cancellationToken), 2, SaturatingBatch, interval: null, bench.WarmUp, cancellationToken);

        foreach (var readersPerSession in new[] { 1, 10 })
        {
            var agents = await StartTurnsAsync(fly, nodes, sessions, cancellationToken);
            var run = await RelayAsync(bench, nodes, agents, readersPerSession, SaturatingBatch, interval: null, duration, cancellationToken);
            var readers = sessions * readersPerSession;
            var baseline = await SseBaseline.EventsPerSecondAsync(bench, readers, bench.Count(400_000, 20_000) / readers, dataSize, cancellationToken);
            metrics.Add(new Metric($"delivered/s per node @{readersPerSession} reader(s)/session", run.Delivered / (double)nodes.Count / run.Elapsed.TotalSeconds, "events/s")
                .Against("kestrel sse events/s", baseline).AtLeast(50_000));
            metrics.Add(new Metric($"pushed/s @{readersPerSession} reader(s)/session", run.Pushed / run.Pushing.TotalSeconds, "events/s"));
        }

        // Moderate load: each agent pushes a couple of events every 10 ms, so the latency is the relay's, not a queue's.
        var moderate = await RelayAsync(bench, nodes, await StartTurnsAsync(fly, nodes, sessions, cancellationToken), 1, ModerateBatch, ModerateInterval,
            bench.Seconds(5, 0.5), cancellationToken, measureLatency: true);
        var hop = await bench.ConstantBaselineAsync(1, BatchBody(ModerateBatch), bench.Seconds(5, 0.5), cancellationToken);
        // Stable metric names (the rate is its own figure), so runs compare line by line.
        metrics.Add(new Metric("pushed/s (moderate load)", moderate.Pushed / moderate.Pushing.TotalSeconds, "events/s"));
        metrics.Add(new Metric("push→read p50 (moderate load)", moderate.Latencies.P50, "ms").Against("kestrel constant POST p50", hop.Latencies.P50));
        metrics.Add(new Metric("push→read p99 (moderate load)", moderate.Latencies.P99, "ms").Against("kestrel constant POST p99", hop.Latencies.P99).AtMost(5));
        // The push's own round trip (the commit to Redis included): how much of push→read is spent before the relay.
        metrics.Add(new Metric("push ack p50 (moderate load)", moderate.Acks.P50, "ms").Against("kestrel constant POST p50", hop.Latencies.P50));
        metrics.Add(new Metric("push ack p99 (moderate load)", moderate.Acks.P99, "ms").Against("kestrel constant POST p99", hop.Latencies.P99));

        return new ScenarioReport(Name, Description, metrics,
        [
            $"{sessions} sessions per run, events of {EventSize} B payload ({dataSize} B SSE data); saturating pushes of {SaturatingBatch} events per batch, one push at a time per agent, for {duration.TotalSeconds:0.#} s.",
            "delivered/s per node = events received by all readers ÷ 2 nodes ÷ (first push → last event received); readers are split evenly over both nodes, a single reader sits on the node its agent does not call.",
            $"push→read = Stopwatch at the push (stamped into the event's text) → Stopwatch at the reader's parse, same process; moderate load = {ModerateBatch} events every {ModerateInterval.TotalMilliseconds:0} ms per session, 1 reader on the other node.",
            "The SSE baseline is one bare Kestrel process streaming frames of the same size from memory to as many readers, parsed by the same reader code.",
        ]);
    }

    /// <summary>What a run of the relay measured.</summary>
    private sealed record RelayResult(long Pushed, long Delivered, TimeSpan Pushing, TimeSpan Elapsed, Latencies Latencies, Latencies Acks);

    /// <summary>
    /// Readers connect, the agents push for <paramref name="duration"/> (back to back, or one batch per
    /// <paramref name="interval"/>), then the readers are given until a deadline to receive every event.
    /// </summary>
    private static async Task<RelayResult> RelayAsync(
        Bench bench, List<HttpClient> nodes, IReadOnlyList<(SimulatedAgent Agent, int Home)> agents, int readersPerSession,
        int batch, TimeSpan? interval, TimeSpan duration, CancellationToken cancellationToken, bool measureLatency = false)
    {
        var readers = agents
            .SelectMany(a => Enumerable.Range(1, readersPerSession).Select(r => new OutputReader(nodes[(a.Home + r) % nodes.Count], a.Agent.SessionId, measureLatency)))
            .ToList();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = readers.Select(r => Task.Run(() => r.RunAsync(stopReading.Token), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(readers.Select(r => r.Connected)).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            ThrowIfFailed(readers);

            var clock = Stopwatch.StartNew();
            var acks = agents.Select(_ => new List<double>()).ToList();
            var pushed = await Task.WhenAll(agents.Select((a, i) => PushAsync(a.Agent, batch, interval, clock, duration, acks[i], cancellationToken)));
            var pushing = clock.Elapsed;
            var expected = agents.Select((a, i) => (a.Agent.SessionId, Pushed: pushed[i])).ToDictionary(p => p.SessionId, p => p.Pushed);

            var deadline = pushing + bench.Seconds(60, 10);
            var delivered = Task.WhenAll(readers.Select(r => r.DeliveredAsync(expected[r.SessionId])));
            try { await delivered.WaitAsync(Max(deadline - clock.Elapsed, TimeSpan.Zero), cancellationToken); }
            catch (TimeoutException) { } // the readers behind are named below
            var elapsed = clock.Elapsed;
            ThrowIfFailed(readers);
            if (readers.FirstOrDefault(r => r.Delivered != expected[r.SessionId]) is { } behind)
                throw new InvalidOperationException($"a reader of {behind.SessionId} on {behind.Node} got {behind.Delivered} of {expected[behind.SessionId]} events within {(deadline - pushing).TotalSeconds:0} s of the last push");

            var result = new RelayResult(pushed.Sum(), readers.Sum(r => r.Delivered), pushing, elapsed, new Latencies(readers.SelectMany(r => r.Latencies)), new Latencies(acks.SelectMany(a => a)));
            bench.Log($"relay, {agents.Count} sessions × {readersPerSession} reader(s), {batch} events/push{(interval is { } i ? $" every {i.TotalMilliseconds:0} ms" : "")}: " +
                      $"pushed {result.Pushed} in {pushing.TotalSeconds:0.00} s, delivered {result.Delivered} in {elapsed.TotalSeconds:0.00} s " +
                      $"({result.Delivered / elapsed.TotalSeconds:0} events/s){(measureLatency ? $", push→read p50 {result.Latencies.P50:0.00} p99 {result.Latencies.P99:0.00} max {result.Latencies.Max:0.00} ms" : "")}" +
                      $", push ack p50 {result.Acks.P50:0.00} p99 {result.Acks.P99:0.00} ms");
            return result;
        }
        finally
        {
            await stopReading.CancelAsync();
            await Task.WhenAll(reading).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }
    }

    /// <summary>
    /// One agent pushing numbered, time-stamped output until <paramref name="duration"/> has passed; how many it
    /// pushed. Each push's round trip goes to <paramref name="acks"/>: the part of push→read the agent waits for.
    /// </summary>
    private static async Task<long> PushAsync(
        SimulatedAgent agent, int batch, TimeSpan? interval, Stopwatch clock, TimeSpan duration, List<double> acks, CancellationToken cancellationToken)
    {
        using var pace = interval is { } every ? new PeriodicTimer(every) : null;
        long number = 0;
        var payloads = new string[batch];
        while (clock.Elapsed < duration)
        {
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < batch; i++) payloads[i] = StampedOutput.Payload(++number, now, EventSize);
            var ack = await agent.PushAsync(1, EventTypes.AgentOutput, payloads, cancellationToken);
            acks.Add(Stopwatch.GetElapsedTime(now).TotalMilliseconds);
            if (ack.AckedSeq != number) throw new InvalidOperationException($"session {agent.SessionId} acked {ack.AckedSeq} after push of {number}");
            if (pace is not null) await pace.WaitForNextTickAsync(cancellationToken);
        }
        return number;
    }

    private static void ThrowIfFailed(IEnumerable<OutputReader> readers)
    {
        if (readers.FirstOrDefault(r => r.Error is not null) is { } failed)
            throw new InvalidOperationException($"a reader of {failed.SessionId} on {failed.Node} failed after {failed.Delivered} events: {failed.Error}");
    }

    /// <summary>
    /// New sessions, created on alternate nodes, whose agents have taken turn 1 (their output belongs to it).
    /// An agent calls the node it was created on, its home.
    /// </summary>
    private static async Task<IReadOnlyList<(SimulatedAgent Agent, int Home)>> StartTurnsAsync(
        EmulatorHost fly, List<HttpClient> nodes, int count, CancellationToken cancellationToken)
    {
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var home = i % nodes.Count;
            var id = await SessionsClient.CreateAsync(nodes[home], "echo bench", cancellationToken);
            var agent = await SimulatedAgent.ForSessionAsync(fly, nodes[home], id, cancellationToken);
            var turn = await agent.NextTurnAsync(0, TimeSpan.FromSeconds(10), cancellationToken);
            if (turn?.Turn != 1) throw new InvalidOperationException($"session {id}: the agent was given turn {turn?.Turn.ToString() ?? "none"}, not 1");
            return (agent, home);
        }));
    }

    /// <summary>The length of a relayed event's SSE data line, so the SSE baseline writes frames of the same size.</summary>
    private static int FrameDataSize() => JsonSerializer.Serialize(new SessionEvent
    {
        Seq = 100_000,
        Type = EventTypes.AgentOutput,
        Turn = 1,
        At = DateTimeOffset.UtcNow,
        Payload = StampedOutput.Payload(100_000, Stopwatch.GetTimestamp(), EventSize),
    }, ProtocolJson.Options).Length;

    /// <summary>An agent's push of <paramref name="events"/> events, as JSON: the body of the constant baseline's POST.</summary>
    private static string BatchBody(int events) => JsonSerializer.Serialize(new AgentEventBatch(Guid.NewGuid().ToString("N"),
        Enumerable.Range(1, events).Select(n => new AgentEvent
        {
            Seq = n,
            Type = EventTypes.AgentOutput,
            Turn = 1,
            Payload = StampedOutput.Payload(n, Stopwatch.GetTimestamp(), EventSize),
        }).ToList()), ProtocolJson.Options);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

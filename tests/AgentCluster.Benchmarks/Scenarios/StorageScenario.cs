using System.Diagnostics;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 4. One long session on a Redis-mode node: its agent takes turn 1 and streams agent.output events in batches
/// until the log holds 10k of them. What Redis receives per event (every command the node sends, framing
/// included) is measured over the first 1k events and over the last 1k, and divided by the event's own size:
/// the storage cost per event must stay near the event itself, and must not grow with the history.
/// </summary>
public sealed class StorageScenario : IScenario
{
    private const int Batch = 25;
    private const int TextLength = 200;

    public int Number => 4;
    public string Name => "storage";
    public string Description => "a 10k-event session: Redis bytes written per event ÷ event size, at 1k and 10k events";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var total = bench.Count(10_000, 200);
        var window = bench.Count(1_000, 100);

        await using var fly = await EmulatorHost.StartAsync(processes: false);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, NodeSettings.NoReaping);
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);

        var id = await SessionsClient.CreateAsync(http, "echo bench", cancellationToken);
        var agent = await SimulatedAgent.ForSessionAsync(fly, http, id, cancellationToken);
        await agent.HeartbeatAsync(cancellationToken);
        var turn = await agent.NextTurnAsync(0, TimeSpan.FromSeconds(5), cancellationToken) ?? throw new InvalidOperationException("turn 1 was not delivered");

        var payload = EventPayloads.Output("stdout", Line());
        var eventBytes = StoredSize(turn.Turn, payload);
        var baseline = await RedisBaseline.MeasureAsync(bench, redis, eventBytes, cancellationToken);

        // Windows at the start and at the end of the history; what lies between only grows the log.
        var pushed = 0;
        var pushes = new List<double>();
        async Task PushUntilAsync(int count)
        {
            while (pushed < count)
            {
                var batch = Enumerable.Repeat(payload, Math.Min(Batch, count - pushed)).ToList();
                var begin = Stopwatch.GetTimestamp();
                var ack = await agent.PushAsync(turn.Turn, EventTypes.AgentOutput, batch, cancellationToken);
                pushes.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
                pushed += batch.Count;
                if (ack.AckedSeq != pushed) throw new InvalidOperationException($"the node acknowledged seq {ack.AckedSeq} after {pushed} events");
            }
        }
        async Task<(double Bytes, double Memory)> MeasureWindowAsync(int until)
        {
            var (bytes, memory) = (await redis.NetInputBytesAsync(), await redis.UsedMemoryAsync());
            var from = pushed;
            await PushUntilAsync(until);
            var events = (double)(pushed - from);
            return ((await redis.NetInputBytesAsync() - bytes) / events, (await redis.UsedMemoryAsync() - memory) / events);
        }

        var memoryBefore = await redis.UsedMemoryAsync();
        var clock = Stopwatch.StartNew();
        var early = await MeasureWindowAsync(window);
        await PushUntilAsync(total - window);
        var late = await MeasureWindowAsync(total);
        var elapsed = clock.Elapsed;
        var memoryPerEvent = (await redis.UsedMemoryAsync() - memoryBefore) / (double)total;
        var latencies = new Latencies(pushes);
        bench.Log($"storage: {total} events in {elapsed.TotalSeconds:0.0} s; event {eventBytes} B; Redis bytes in per event {early.Bytes:0} (first {window}), " +
                  $"{late.Bytes:0} (last {window}); used_memory per event {early.Memory:0} / {late.Memory:0} (overall {memoryPerEvent:0}); push p50 {latencies.P50:0.00} ms");

        var atFirst = Label(window);
        var atLast = Label(total);
        var setRatio = baseline.SetBytesSent / eventBytes;
        return new ScenarioReport(Name, Description,
        [
            new Metric("event size (stored JSON)", eventBytes, "B"),
            new Metric($"Redis bytes in/event, first {atFirst}", early.Bytes, "B").Against("bare SET of one event", baseline.SetBytesSent),
            new Metric($"Redis bytes in/event, last {atFirst} of {atLast}", late.Bytes, "B").Against("bare SET of one event", baseline.SetBytesSent),
            new Metric($"bytes in ÷ event size @{atFirst}", early.Bytes / eventBytes, "×").Against("bare SET ÷ event size", setRatio).AtMost(2),
            new Metric($"bytes in ÷ event size @{atLast}", late.Bytes / eventBytes, "×").Against("bare SET ÷ event size", setRatio).AtMost(2),
            new Metric($"growth @{atLast} ÷ @{atFirst}", late.Bytes / early.Bytes, "×"),
            new Metric($"used_memory/event, first {atFirst}", early.Memory, "B"),
            new Metric($"used_memory/event, last {atFirst} of {atLast}", late.Memory, "B"),
            new Metric($"used_memory/event over {atLast}", memoryPerEvent, "B"),
            new Metric($"push of {Batch} events p50", latencies.P50, "ms").Against("redis SET p50", baseline.Set.Latencies.P50),
            new Metric($"push of {Batch} events p99", latencies.P99, "ms"),
            new Metric("events/s (one session)", total / elapsed.TotalSeconds, "/s"),
            .. baseline.Metrics(),
        ],
        [
            $"Event size = one agent.output event as stored in the Redis list and sent as the SSE data line: its JSON (seq, type, turn, at, payload {{stream, text}}) with a {TextLength}-character text.",
            $"Redis bytes in = INFO total_net_input_bytes delta over the window, ÷ events: every command any client sent, with RESP framing — the log appends (one script: length check, RPUSH, cursor HSET), grain state writes, reaper schedule writes, the node's background traffic (reaper sweeps, Orleans membership) and this harness's INFO calls.",
            $"The agent pushes batches of {Batch} events, one at a time, as a real agent flushes its outbox; one push = one append transaction.",
            "used_memory/event: INFO used_memory delta ÷ events (Redis's allocator view; lists grow in listpack nodes, so short windows step).",
            "bare SET: a SET of a value the size of one event, sent by the same client setup; its bytes are the floor for storing an event one command at a time.",
        ]);
    }

    /// <summary>A line of build output, as long as a typical one.</summary>
    private static string Line() => ("[build] compiling src/module/component.cs: " + new string('x', TextLength))[..TextLength];

    /// <summary>The event as the log stores it (and the SSE stream sends it), numbered in the thousands as most of this log's are.</summary>
    private static int StoredSize(int turn, string payload) =>
        JsonSerializer.SerializeToUtf8Bytes(new SessionEvent { Seq = 5_000, Type = EventTypes.AgentOutput, Turn = turn, At = DateTimeOffset.UtcNow, Payload = payload }, ProtocolJson.Options).Length;

    private static string Label(int events) => events >= 1000 ? $"{events / 1000}k" : events.ToString();
}

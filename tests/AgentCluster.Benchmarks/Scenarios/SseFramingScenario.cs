using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Baselines;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 11. The cost of the event stream's framing alone: the node frames session events with SseFormatter over the
/// response pipe (EventStream), against the hand-written frames it wrote before. Both write the same agent.output
/// events (200-character text) into a pipe that discards them, flushed every 32 KiB as the stream does when events
/// are at hand, in one thread, alternating rounds. CPU time per event is the figure (the best round of each, so a
/// loaded machine's stolen time counts least), with bytes allocated per event.
/// </summary>
public sealed class SseFramingScenario : IScenario
{
    private const int FlushThreshold = 32 * 1024;

    public int Number => 11;
    public string Name => "sse-framing";
    public string Description => "session events framed by SseFormatter (the node's EventStream, through the same SessionEventFrames) vs hand-written frames, in memory";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var events = Enumerable.Range(1, bench.Count(200_000, 2_000)).Select(Event).ToArray();
        var rounds = bench.Count(7, 2);
        Round best = new(double.MaxValue, 0), baseline = new(double.MaxValue, 0);
        for (var round = 0; round <= rounds; round++)
        {
            var formatter = await MeasureAsync(events, SseFormatterAsync, cancellationToken);
            var handWritten = await MeasureAsync(events, HandWrittenAsync, cancellationToken);
            bench.Log($"round {round}: SseFormatter {formatter.NanosPerEvent:0} ns/event, {formatter.BytesPerEvent:0} B/event; hand-written {handWritten.NanosPerEvent:0} ns/event, {handWritten.BytesPerEvent:0} B/event");
            if (round == 0) continue; // the first round JITs both
            if (formatter.NanosPerEvent < best.NanosPerEvent) best = formatter;
            if (handWritten.NanosPerEvent < baseline.NanosPerEvent) baseline = handWritten;
        }
        return new ScenarioReport(Name, Description,
        [
            new Metric("CPU per event, SseFormatter", best.NanosPerEvent, "ns").Against("hand-written frames", baseline.NanosPerEvent),
            new Metric("allocated per event, SseFormatter", best.BytesPerEvent, "B").Against("hand-written frames", baseline.BytesPerEvent),
        ], [$"{events.Length} events of {Frame(events[0]).Length} B per round, {rounds} rounds each after one not counted; best round of each"]);
    }

    private static async Task SseFormatterAsync(SessionEvent[] events, PipeWriter body, CancellationToken cancellationToken)
    {
        using var json = new Utf8JsonWriter(body);
        await SseFormatter.WriteAsync(Items(events, body), new UnflushedPipeStream(body), SessionEventFrames.DataWriter(json), cancellationToken);
    }

    private static async IAsyncEnumerable<SseItem<SessionEvent>> Items(SessionEvent[] events, PipeWriter body)
    {
        foreach (var e in events)
        {
            if (body.UnflushedBytes >= FlushThreshold) await body.FlushAsync();
            yield return SessionEventFrames.Item(e);
        }
    }

    private static async Task HandWrittenAsync(SessionEvent[] events, PipeWriter body, CancellationToken cancellationToken)
    {
        using var json = new Utf8JsonWriter(body);
        foreach (var e in events)
        {
            if (body.UnflushedBytes >= FlushThreshold) await body.FlushAsync(cancellationToken);
            HandWrittenSseFrames.Write(body, json, e);
        }
    }

    private static async Task<Round> MeasureAsync(SessionEvent[] events, Func<SessionEvent[], PipeWriter, CancellationToken, Task> frame, CancellationToken cancellationToken)
    {
        var body = PipeWriter.Create(Stream.Null);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await frame(events, body, cancellationToken);
        await body.FlushAsync(cancellationToken);
        var spent = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new Round(spent.TotalNanoseconds / events.Length, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)events.Length);
    }

    private static SessionEvent Event(int seq) => new()
    {
        Seq = seq, Type = EventTypes.AgentOutput, Turn = 1, At = DateTimeOffset.UnixEpoch.AddSeconds(seq),
        Payload = JsonSerializer.Serialize(new { stream = "stdout", text = new string('x', 200) }),
    };

    private static byte[] Frame(SessionEvent e)
    {
        var buffer = new MemoryStream();
        var body = PipeWriter.Create(buffer);
        using (var json = new Utf8JsonWriter(body)) HandWrittenSseFrames.Write(body, json, e);
        body.FlushAsync().AsTask().GetAwaiter().GetResult();
        return buffer.ToArray();
    }

    private sealed record Round(double NanosPerEvent, double BytesPerEvent);
}

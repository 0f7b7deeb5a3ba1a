using System.ClientModel;
using System.Diagnostics;
using System.Text;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;
using OpenAI;
using OpenAI.Chat;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 12. What the OpenAI-compatible adapter costs: a turn asked for with the official OpenAI .NET SDK's streaming
/// <c>CompleteChatStreamingAsync</c> (the session named by <c>user</c>), timed from the call to its first chunk with
/// text, beside the same turn's first <c>agent.output</c> fragment on the session's native SSE stream (open before the
/// call). Both are read in this process on one clock; the gap is the adapter's own work (its request, the turn put to
/// the grain, its own watch of the log, chunk framing, the SDK's parsing). The real built-in agent relays a scripted
/// model that writes a one-second answer in 20 pieces; turn 1 (the machine's start) is off the clock.
/// </summary>
public sealed class OpenAiFirstChunkScenario : IScenario
{
    private const int Pieces = 20;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private const string Answer =
        "Forty-two is the answer, and six times seven is how to get there: the question was never written down.";

    public int Number => 12;
    public string Name => "openai-first-chunk";
    public string Description => "chat.completions.create(stream: true) → first chunk, beside the same turn's first agent.output on the native SSE stream (the adapter's cost)";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var count = bench.Count(20, 2);
        await using var model = await ScriptedModel.StartAsync(Answer, Pieces, Pause);
        await using var fly = await EmulatorHost.StartAsync(processes: true);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, model.NodeSettings());
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);
        var chat = new ChatClient("anthropic", new ApiKeyCredential("unused-on-loopback"),
            new OpenAIClientOptions { Endpoint = new Uri($"{node.Url}/v1"), NetworkTimeout = Deadline });

        // One session, one turn per sample: each turn's answer is the model's whole text.
        var id = await SessionsClient.CreateAsync(http, "Warm up.", cancellationToken, "anthropic");
        await using var native = await SseStream.OpenSessionAsync(http, id, cancellationToken);
        await native.WaitForAsync(EventTypes.TurnCompleted, Deadline, cancellationToken);
        var samples = new List<Sample>(count);
        for (var turn = 2; turn <= count + 2; turn++)
        {
            var sample = await MeasureTurnAsync(chat, native, id, turn, cancellationToken);
            bench.Log($"openai first chunk {turn}: {sample}");
            if (turn > 2) samples.Add(sample); // the first is not counted: the SDK's and the adapter's first use
        }
        var machine = await fly.SessionMachineAsync(id, cancellationToken);
        await SessionsClient.DeleteAsync(http, id, cancellationToken);
        await fly.WaitDestroyedAsync(machine.Id, Deadline, cancellationToken);

        Latencies Of(Func<Sample, double> part) => new(samples.Select(part));
        var nativeFirst = Of(s => s.Native).P50;
        return new ScenarioReport(Name, Description,
        [
            new Metric("create(stream) → first chunk p50", Of(s => s.Chunk).P50, "ms").Against("same turn's first agent.output on the native stream p50", nativeFirst),
            new Metric("create(stream) → first chunk p95", Of(s => s.Chunk).Percentile(0.95), "ms"),
            new Metric("adapter's cost (chunk − native) p50", Of(s => s.Chunk - s.Native).P50, "ms"),
            new Metric("adapter's cost (chunk − native) p95", Of(s => s.Chunk - s.Native).Percentile(0.95), "ms"),
        ],
        [
            $"{count} turns of one session (plus one not counted), one after another; the scripted model answers each with {Answer.Length} characters in {Pieces} pieces {Pause.TotalMilliseconds:0} ms apart.",
            "Both clocks start at the SDK call; the native stream was opened before it and reads the same session's log through the same node.",
        ]);
    }

    private static async Task<Sample> MeasureTurnAsync(ChatClient chat, SseStream native, string id, int turn, CancellationToken cancellationToken)
    {
        var begin = Stopwatch.GetTimestamp();
        long nativeAt = 0;
        // Read alongside the SDK's stream; the arrival is stamped as the frame is parsed.
        var nativeFirst = Task.Run(() => native.WaitForAsync(EventTypes.AgentOutput, Deadline, cancellationToken, e =>
        {
            if (e.Turn != turn || e.Payload["stream"]?.GetValue<string>() != "text") return false;
            nativeAt = Stopwatch.GetTimestamp();
            return true;
        }), cancellationToken);
        long? firstChunk = null;
        var text = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Deadline);
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage($"Turn {turn}: what is the answer?")],
            new ChatCompletionOptions { EndUserId = id }, timeout.Token))
        {
            foreach (var part in update.ContentUpdate)
            {
                if (part.Text is not { Length: > 0 }) continue;
                firstChunk ??= Stopwatch.GetTimestamp();
                text.Append(part.Text);
            }
        }
        await nativeFirst;
        if (text.ToString() != Answer) throw new InvalidOperationException($"turn {turn}: the chunks said '{text}', not the model's answer");
        if (firstChunk is not { } chunkAt) throw new InvalidOperationException($"turn {turn}: no chunk with text");
        await native.WaitForAsync(EventTypes.TurnCompleted, Deadline, cancellationToken, e => e.Turn == turn);
        return new Sample(Stopwatch.GetElapsedTime(begin, chunkAt).TotalMilliseconds, Stopwatch.GetElapsedTime(begin, nativeAt).TotalMilliseconds);
    }

    /// <summary>One turn's times in milliseconds from the SDK call.</summary>
    private sealed record Sample(double Chunk, double Native)
    {
        public override string ToString() => $"first chunk {Chunk:0} ms, native first agent.output {Native:0} ms";
    }
}

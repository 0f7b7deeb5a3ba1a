using System.Diagnostics;
using System.Text;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 8. Live text: how soon a model's words reach a client. A scripted Messages API on loopback writes a one-second
/// answer in 20 pieces, 50 ms apart; a real agent (each model runtime: the built-in anthropic one, and the
/// Claude Code CLI when tools/claude-code has it) relays it. Timed on the session's SSE stream: the first text
/// fragment (<c>agent.output</c> with <c>delta: true</c>) and the whole block, from POST /sessions and from the
/// moment the model wrote its first piece. One session at a time, each deleted before the next.
/// </summary>
public sealed class FirstTextScenario : IScenario
{
    private const int Pieces = 20;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private const string Answer =
        "The primes below fifty are 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43 and 47: fifteen of them, " +
        "found by trial division up to the square root of each candidate.";

    public int Number => 8;
    public string Name => "first-text";
    public string Description => "POST /sessions → first text fragment and whole block on the SSE stream, real agents (anthropic, claude-code) against a model streaming slowly";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var count = bench.Count(10, 1);
        await using var model = await ScriptedModel.StartAsync(Answer, Pieces, Pause);
        await using var fly = await EmulatorHost.StartAsync(processes: true);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, model.NodeSettings());
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);

        var metrics = new List<Metric>();
        var notes = new List<string>
        {
            $"The scripted model answers each conversation request with {Answer.Length} characters in {Pieces} text deltas, each after {Pause.TotalMilliseconds:0} ms (its side requests at once); {count} sessions per runtime one after another (plus one not counted), each a turn of one answer.",
            "first fragment / whole block: from the start of POST /sessions to the first agent.output with delta: true / the agent.output with the whole text on the SSE stream; model's first piece → fragment: from when the model wrote its first delta (same process, same clock) to that fragment's arrival.",
            "Fragments are coalesced by the agent: at once when the last went 50 ms ago or more, else together at that interval; the whole block follows them.",
        };
        var runtimes = new List<(string Name, Dictionary<string, string>? Env)> { ("anthropic", null) };
        if (ClaudeExecutable() is { } claude) runtimes.Add(("claude-code", new() { ["CLAUDE_CODE_PATH"] = claude }));
        else notes.Add("claude-code not measured: the CLI is not installed (tools/claude-code/install.sh).");

        foreach (var (runtime, env) in runtimes)
        {
            var samples = new List<Sample>(count);
            for (var i = 0; i <= count; i++)
            {
                var sample = await MeasureOneAsync(fly, model, http, runtime, env, cancellationToken);
                bench.Log($"first text {runtime} {i}: {sample}");
                if (i > 0) samples.Add(sample);
            }
            Latencies Of(Func<Sample, double> part) => new(samples.Select(part));
            var block = Of(s => s.Block).P50;
            metrics.Add(new Metric($"first text fragment p50 @{runtime}", Of(s => s.FirstFragment).P50, "ms").Against("whole text block p50", block));
            metrics.Add(new Metric($"whole text block p50 @{runtime}", block, "ms"));
            metrics.Add(new Metric($"model's first piece → fragment p50 @{runtime}", Of(s => s.Relay).P50, "ms")
                .Against("model's first piece → its last", (Pieces - 1) * Pause.TotalMilliseconds));
            metrics.Add(new Metric($"fragments per answer @{runtime}", Of(s => s.Fragments).P50, "").Against("model's text deltas", Pieces));
        }
        return new ScenarioReport(Name, Description, metrics, notes);
    }

    private static async Task<Sample> MeasureOneAsync(
        EmulatorHost fly, ScriptedModel model, HttpClient http, string runtime, IReadOnlyDictionary<string, string>? env, CancellationToken cancellationToken)
    {
        var begin = Stopwatch.GetTimestamp();
        var id = await SessionsClient.CreateAsync(http, "List the primes below fifty.", cancellationToken, runtime, env);
        await using var stream = await SseStream.OpenSessionAsync(http, id, cancellationToken);
        long? first = null;
        var fragments = new StringBuilder();
        var count = 0;
        var whole = await stream.WaitForAsync(EventTypes.AgentOutput, Deadline, cancellationToken, e =>
        {
            if (e.Payload["stream"]?.GetValue<string>() != "text") return false;
            if (e.Payload["delta"]?.GetValue<bool>() != true) return true;
            first ??= Stopwatch.GetTimestamp();
            fragments.Append(e.Payload["text"]!.GetValue<string>());
            count++;
            return false;
        });
        var block = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        if (first is not { } firstAt) throw new InvalidOperationException($"{runtime}: the whole text came without a fragment before it");
        if (fragments.ToString() != Answer || whole.Payload["text"]!.GetValue<string>() != Answer)
            throw new InvalidOperationException($"{runtime}: the fragments ({fragments}) or the block ({whole.Payload["text"]}) are not the model's answer");
        var relay = Stopwatch.GetElapsedTime(model.FirstDeltaAt, firstAt).TotalMilliseconds;

        // Off the clock: the turn ends, the session is deleted and its machine gone before the next.
        var completed = await stream.WaitForAsync(EventTypes.TurnCompleted, Deadline, cancellationToken);
        if (completed.Payload["outcome"]?.GetValue<string>() != TurnOutcomes.Success)
            throw new InvalidOperationException($"{runtime}: the turn ended {completed.Payload.ToJsonString()}");
        var machine = await fly.SessionMachineAsync(id, cancellationToken);
        await SessionsClient.DeleteAsync(http, id, cancellationToken);
        await fly.WaitDestroyedAsync(machine.Id, Deadline, cancellationToken);
        return new Sample(Stopwatch.GetElapsedTime(begin, firstAt).TotalMilliseconds, block, relay, count);
    }

    /// <summary>The pinned CLI (tools/claude-code, above the harness's folder), or CLAUDE_CODE_PATH; null when neither is there.</summary>
    private static string? ClaudeExecutable()
    {
        if (Environment.GetEnvironmentVariable("CLAUDE_CODE_PATH") is { Length: > 0 } path && File.Exists(path)) return path;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var claude = Path.Combine(directory.FullName, "tools", "claude-code", "node_modules", ".bin", "claude");
            if (File.Exists(claude)) return claude;
        }
        return null;
    }

    /// <summary>One session's times, in milliseconds from the start of its POST /sessions (Relay: from the model's first piece).</summary>
    private sealed record Sample(double FirstFragment, double Block, double Relay, int Fragments)
    {
        public override string ToString() =>
            $"first fragment {FirstFragment:0} ms, whole block {Block:0} ms, model's first piece → fragment {Relay:0} ms, {Fragments} fragments";
    }
}

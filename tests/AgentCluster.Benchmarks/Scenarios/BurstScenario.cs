using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Baselines;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 9. A burst of users at Fly's limits (issue 17): N clients post <c>POST /sessions</c> (shell runtime,
/// <c>echo hi</c>) at the same moment to a node whose emulator keeps Fly's published rate limits (one create a
/// second per app, bursts of 3) and Fly's published start times (a cold boot of about 2 s, a resume from suspend
/// of a few hundred ms). Run with no pool and with a pool of N ready machines (once GET /pool says they are
/// ready), beside the same N creates sent straight to the emulator: the floor Fly itself imposes.
/// Each run has its own emulator and node, so each starts with Fly's whole create budget.
/// </summary>
public sealed class BurstScenario : IScenario
{
    /// <summary>How many clients, when not the default (30; 3 in smoke mode).</summary>
    public const string SessionsVariable = "BURST_SESSIONS";

    private const string Prompt = "echo hi";

    /// <summary>
    /// The emulator as Fly: its rate limits, a cold start of 2 s, a resume of 0.3 s (Fly: "a few hundred
    /// milliseconds"; an emulator without ResumeDelay ignores the key).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> AsFly = new Dictionary<string, string>
    {
        ["FlyEmulator:RateLimits"] = "true",
        ["FlyEmulator:BootDelay"] = "00:00:02",
        ["FlyEmulator:ResumeDelay"] = "00:00:00.3",
    };

    public int Number => 9;
    public string Name => "burst";
    public string Description => "N simultaneous POST /sessions (shell, echo hi) at Fly's limits (1 create/s per app, bursts of 3; boot 2 s, resume 0.3 s), pool 0 and pool N, beside the emulator alone";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var clients = Clients(bench);
        // Generous bounds, a second and more per client ahead: Fly's budget alone spaces the creates a second apart.
        var deadline = TimeSpan.FromSeconds(60 + 2 * clients);
        var notes = new List<string>
        {
            $"{clients} clients at once ({SessionsVariable} sets how many); emulator with its rate limits on, BootDelay 2 s, ResumeDelay 0.3 s; " +
            "one Redis-mode node keeping to Fly's limits on its side (its default). Each run has its own emulator and node.",
            "POST latency is over every answered POST (201, 503 and others alike); first agent.output over the 201s that got one, " +
            "from the start of their POST, read on the session's SSE stream. One session before each burst is not counted (it warms the node).",
            "Baseline, emulator alone: the same creates at once straight to the emulator through the product's Fly client, keeping " +
            "to the same limits (one machine before, not counted); time to the create's answer, and to `started` (/wait): the floor Fly imposes.",
        };

        bench.Log($"burst: emulator alone, {clients} creates at once");
        IReadOnlyList<MachineSample> floor;
        await using (var fly = await EmulatorHost.StartAsync(processes: true, AsFly))
            floor = await MachineBurst.RunAsync(fly, clients, deadline, cancellationToken);
        var created = new Latencies(floor.Select(s => s.Created));
        var started = new Latencies(floor.Select(s => s.Started));
        bench.Log($"burst: emulator alone: create answered p50 {created.P50:0} max {created.Max:0} ms; started p50 {started.P50:0} max {started.Max:0} ms");
        var metrics = new List<Metric>
        {
            new("emulator alone: create answered p50", created.P50, "ms"),
            new("emulator alone: create answered p90", created.Percentile(0.90), "ms"),
            new("emulator alone: create answered max", created.Max, "ms"),
            new("emulator alone: started p50", started.P50, "ms"),
            new("emulator alone: started p90", started.Percentile(0.90), "ms"),
            new("emulator alone: started max", started.Max, "ms"),
        };

        foreach (var pool in new[] { 0, clients })
        {
            var label = $"pool {pool}";
            bench.Log($"burst: {label}, {clients} clients");
            var run = await BurstAsync(bench, clients, pool, deadline, cancellationToken);
            if (run.Samples is null)
            {
                notes.Add($"{label}: not run: {run.Note}");
                continue;
            }
            if (run.Note is not null) notes.Add($"{label}: {run.Note}");
            metrics.AddRange(Figures(label, clients, pool, run.Samples, created, started, notes));
        }
        return new ScenarioReport(Name, Description, metrics, notes);
    }

    /// <summary>
    /// One burst against a fresh node: warmed by one session, its pool (if any) ready, Fly's create budget whole,
    /// then every client at once. Null samples when it could not run, with the reason.
    /// </summary>
    private static async Task<BurstRun> BurstAsync(Bench bench, int clients, int pool, TimeSpan deadline, CancellationToken cancellationToken)
    {
        await using var fly = await EmulatorHost.StartAsync(processes: true, AsFly);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, new Dictionary<string, string>
        {
            ["Fly__ClientRateLimits"] = "true",
            ["Pool__Size"] = pool.ToString(),
        });
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);
        http.Timeout = Timeout.InfiniteTimeSpan; // every call here has its own deadline

        await WarmUpAsync(bench, http, deadline, cancellationToken);
        string? note = null;
        if (pool > 0)
        {
            var ready = await PoolStatus.WaitReadyAsync(http, pool, deadline, cancellationToken);
            if (ready is null) return new BurstRun(null, "the node has no pool (GET /pool answers 404)");
            bench.Log($"burst: pool {pool}: {ready} ready");
            if (ready < pool) note = $"the pool had {ready} of {pool} machines ready after {deadline.TotalSeconds:0} s; the burst ran with them";
        }
        // The create budgets (Fly's and the node's) are whole: the warm-up, or the pool's refill of the machine it
        // claimed, spent one create, and a boot (BootDelay 2 s) passed before its output or the pool's readiness, longer
        // than one create takes to come back (1 s; the node's 1.1 s).

        var samples = await SessionBurst.RunAsync(http, clients, Prompt, deadline, deadline + TimeSpan.FromSeconds(30), cancellationToken);
        bench.Log($"burst: pool {pool}: {string.Join(", ", samples.GroupBy(s => s.Status?.ToString() ?? "none").Select(g => $"{g.Count()} × {g.Key}"))}");

        // Off the clock: the sessions end before their node and emulator stop.
        using var cleanup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cleanup.CancelAfter(TimeSpan.FromSeconds(60));
        await Task.WhenAll(samples.Where(s => s.SessionId is not null).Select(s => DeleteAsync(http, s.SessionId!, cleanup.Token)));
        return new BurstRun(samples, note);
    }

    /// <summary>
    /// One session through to its first output and deleted: the node's create and relay paths run once before they
    /// are measured. A node that refuses it is said in the log; the burst still runs.
    /// </summary>
    private static async Task WarmUpAsync(Bench bench, HttpClient http, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var warm = await SessionBurst.RunAsync(http, 1, "echo warm", deadline, deadline, cancellationToken);
        if (warm[0].SessionId is { } id) await DeleteAsync(http, id, cancellationToken);
        if (warm[0].FirstOutput is null) bench.Log($"burst: the warm-up session got no output: {warm[0].Problem ?? $"POST answered {warm[0].Status}"}");
    }

    private static async Task DeleteAsync(HttpClient http, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await SessionsClient.DeleteAsync(http, sessionId, cancellationToken);
        }
        // The node and emulator stop next, which ends whatever is left.
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }
    }

    private static IEnumerable<Metric> Figures(
        string label, int clients, int pool, IReadOnlyList<BurstSample> samples, Latencies created, Latencies started, List<string> notes)
    {
        var answered = new Latencies(samples.Select(s => s.Answered));
        var firstOutput = new Latencies(samples.Where(s => s.FirstOutput is not null).Select(s => s.FirstOutput!.Value));
        var ok = samples.Count(s => s.Status == 201);
        yield return new Metric($"{label}: 201", ok, "").AtLeast(clients);
        yield return new Metric($"{label}: 503", samples.Count(s => s.Status == 503), "");
        yield return new Metric($"{label}: other answers", samples.Count(s => s.Status is not (201 or 503)), "");
        yield return new Metric($"{label}: POST p50", answered.P50, "ms").Against("emulator alone: create answered p50", created.P50);
        yield return new Metric($"{label}: POST p90", answered.Percentile(0.90), "ms").Against("emulator alone: create answered p90", created.Percentile(0.90));
        var p99 = new Metric($"{label}: POST p99", answered.P99, "ms").Against("emulator alone: create answered p99", created.P99);
        var max = new Metric($"{label}: POST max", answered.Max, "ms").Against("emulator alone: create answered max", created.Max);
        // The issue's goals: with a pool, p99 ≤ 1 s; without one, every session answered within 1 s (queued, not refused).
        yield return pool > 0 ? p99.AtMost(1000) : p99;
        yield return pool > 0 ? max : max.AtMost(1000);
        yield return new Metric($"{label}: sessions with output", firstOutput.Count, "").AtLeast(clients);
        if (firstOutput.Count > 0)
        {
            yield return new Metric($"{label}: first agent.output p50", firstOutput.P50, "ms").Against("emulator alone: started p50", started.P50);
            var p90 = new Metric($"{label}: first agent.output p90", firstOutput.Percentile(0.90), "ms").Against("emulator alone: started p90", started.Percentile(0.90));
            yield return pool > 0 ? p90.AtMost(2000) : p90;
            yield return new Metric($"{label}: first agent.output max", firstOutput.Max, "ms").Against("emulator alone: started max", started.Max);
        }
        else
        {
            notes.Add($"{label}: no session reached its first agent.output, so no first-output figures.");
        }
        if (samples.FirstOrDefault(s => s.Problem is not null)?.Problem is { } problem)
            notes.Add($"{label}: {samples.Count(s => s.Problem is not null)} client(s) saw a problem; the first: {Shorten(problem)}");
    }

    private static int Clients(Bench bench) =>
        Environment.GetEnvironmentVariable(SessionsVariable) is { Length: > 0 } set
            ? int.TryParse(set, out var n) && n > 0 ? n : throw new ArgumentException($"{SessionsVariable} must be a positive whole number, not '{set}'.")
            : bench.Count(30, 3);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>A burst's samples (null: it could not run), and what the report should say of it.</summary>
    private sealed record BurstRun(IReadOnlyList<BurstSample>? Samples, string? Note);
}

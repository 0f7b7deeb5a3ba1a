using System.Diagnostics;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;
using StackExchange.Redis;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 5. Many idle sessions on one Redis-mode node: what each costs the node (RSS, managed heap) and Redis
/// (used_memory), and what the reaper costs at that size: a sweep with nothing due, and the checks it manages
/// per second when sessions are due (each live session is due about once per heartbeat TTL).
/// </summary>
public sealed class ScaleScenario : IScenario
{
    private const int Concurrency = 32;
    private const int Target = 100_000;

    /// <summary>Creating more than this takes the run too long on this machine: N is then what fits.</summary>
    private static readonly TimeSpan CreateBudget = TimeSpan.FromMinutes(4);

    /// <summary>Production's heartbeat TTL: each live session is checked about once per TTL.</summary>
    private static readonly TimeSpan DefaultHeartbeatTtl = TimeSpan.FromSeconds(30);

    public int Number => 5;
    public string Name => "scale";
    public string Description => "100k idle sessions on one node: memory per session, reaper sweep cost";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        await using var fly = await EmulatorHost.StartAsync(processes: false);
        await using var redis = await RedisHost.StartAsync();
        // Nothing expires or sleeps while measuring: deadlines an hour away; the reconciliation (listing every
        // machine of the app) is kept out of the measurements and timed on its own below.
        var settings = new Dictionary<string, string>(ReaperSweeps.Settings)
        {
            ["Sessions__BootGrace"] = "02:00:00",
            ["Sessions__HeartbeatTtl"] = "01:00:00",
            ["Sessions__AgentOrphanTimeout"] = "02:00:00",
            ["Sessions__IdleTimeout"] = "02:00:00",
            ["Reaper__ReconcileInterval"] = "02:00:00",
        };
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, settings);
        await using var node = nodes[0];
        var sweeps = ReaperSweeps.Watch(node.Process);
        using var http = bench.Client(node.Url);
        var notes = new List<string>();

        // Warm-up: the create and idle paths jitted, pools and caches filled, before the "before" reading.
        await MakeIdleAsync(bench, fly, http, await SessionsClient.CreateManyAsync(http, bench.Count(500, 20), Concurrency, cancellationToken), cancellationToken);
        // The heap is read first: dotnet-counters samples for a few seconds, in which the node settles.
        var heapBefore = await DotnetCounters.GcHeapBytesAsync(node.Process.Pid, cancellationToken);
        var (rssBefore, redisBefore) = (node.ResidentBytes(), await redis.UsedMemoryAsync());

        // Sessions are created in chunks until there are 100k or the budget is spent: the create rate is not
        // constant (it falls as machines accumulate), so N is what was created in time, measured, not predicted.
        var chunk = bench.Count(2_000, 50);
        var target = bench.Count(Target, 200);
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        var rates = new List<double>();
        while (ids.Count < target && clock.Elapsed < CreateBudget)
        {
            var (begin, size) = (clock.Elapsed, Math.Min(chunk, target - ids.Count));
            ids.AddRange(await SessionsClient.CreateManyAsync(http, size, Concurrency, cancellationToken));
            rates.Add(size / (clock.Elapsed - begin).TotalSeconds);
        }
        var count = ids.Count;
        var createRate = count / clock.Elapsed.TotalSeconds;
        bench.Log($"scale: {count} sessions created in {clock.Elapsed.TotalSeconds:0} s at {Concurrency}: {rates[0]:0}/s first, {rates[^1]:0}/s last");
        if (count < target)
            notes.Add($"N = {count}, not {Target}: the create budget ({CreateBudget.TotalMinutes:0} min) ran out; creates/s fell from {rates[0]:0} (first {chunk}) to {rates[^1]:0} (last {chunk}). Per-session figures are deltas ÷ N.");
        var reconcileList = await MakeIdleAsync(bench, fly, http, ids, cancellationToken);
        bench.Log($"scale: {count} sessions idle after {clock.Elapsed.TotalSeconds:0} s");

        var heapAfter = await DotnetCounters.GcHeapBytesAsync(node.Process.Pid, cancellationToken);
        var rssPerSession = (node.ResidentBytes() - rssBefore) / (double)count;
        var redisPerSession = (await redis.UsedMemoryAsync() - redisBefore) / (double)count;
        var heapPerSession = HeapPerSession(heapBefore, heapAfter, count);
        if (heapPerSession is null)
            notes.Add("managed heap/session: not measured, dotnet-counters gave no reading (not installed: it is looked for in DOTNET_COUNTERS, /tmp/dtools/dotnet-counters and the PATH; or the node had not collected yet).");

        var ping = (await RedisBaseline.MeasureAsync(bench, redis, valueBytes: 64, cancellationToken)).Ping;
        var emptySweep = await TimeEmptySweepAsync(bench, redis, cancellationToken);
        var checks = await MeasureChecksAsync(bench, redis, node, sweeps, Math.Min(count, bench.Count(20_000, 200)), cancellationToken);

        // Each live session is due about once per TTL; the reaper's share of the node is that rate ÷ its own.
        var needed = Target / DefaultHeartbeatTtl.TotalSeconds;
        bench.Log($"scale: RSS {rssPerSession:0} B/session, heap {heapPerSession?.Value.ToString("0") ?? "n/a"} B/session, Redis {redisPerSession:0} B/session; empty sweep p50 {emptySweep.P50:0.000} ms; " +
                  $"{checks.PerSecond:0} checks/s, {checks.CpuMsPerCheck:0.000} CPU ms/check; list of {count + bench.Count(500, 20)} machines {reconcileList.TotalMilliseconds:0} ms");

        notes.AddRange(
        [
            "State measured: every session idle (created, its agent pushed turn.completed for turn 1: status idle, a state write; 4 log events: status starting, the prompt, turn.completed, status idle), its grain active on the node, one reaper schedule entry each.",
            "RSS/session = node VmRSS delta ÷ N, from after a warm-up batch to after the last session went idle (each read after a 3 s dotnet-counters sample) (includes garbage not yet collected and the heap's headroom). Heap/session = dotnet.gc.last_collection.heap.size (all generations, dotnet-counters) delta ÷ N.",
            "Redis/session = used_memory delta ÷ N: grain state, event log, agent cursor, catalog entry, schedule entry.",
            "Empty sweep = the one Redis read a sweep makes when nothing is due (ZRANGEBYSCORE of a shard's schedule, limit SweepBatch), timed from the harness on a real shard key holding N ÷ Shards entries.",
            "Checks: the harness marks sessions due (ZADD score 0 in their shard's schedule), as each live session's entry falls due once per heartbeat TTL; each shard's sweeps ask each session to check itself (nothing to do: it writes its next due time back). Checks/s = checked ÷ (first sweep start → last sweep end), from ReaperGrain's Debug log.",
            $"Implied reaper load at {Target} live sessions, TTL {DefaultHeartbeatTtl.TotalSeconds:0} s: {needed:0} checks/s.",
            "Reconciliation (every Reaper:ReconcileInterval, 1 min by default) lists every machine of the app, then asks each tagged machine's session about it: the list is timed here at N machines from the harness with the product's Fly client; the per-machine grain calls cost about what a check does (no Redis write).",
        ]);
        return new ScenarioReport(Name, Description,
        [
            new Metric("sessions (N)", count, ""),
            new Metric("creates/s (average)", createRate, "/s"),
            new Metric($"creates/s (last {chunk})", rates[^1], "/s"),
            new Metric("node RSS/session", rssPerSession, "B").AtMost(4096),
            .. heapPerSession is null ? [] : new[] { heapPerSession },
            new Metric("Redis used_memory/session", redisPerSession, "B"),
            new Metric($"empty sweep Redis read p50 @{count}", emptySweep.P50, "ms").Against("redis PING p50", ping.Latencies.P50),
            new Metric($"empty sweep Redis read p99 @{count}", emptySweep.P99, "ms").Against("redis PING p99", ping.Latencies.P99),
            new Metric("reaper checks/s", checks.PerSecond, "/s").Against($"needed at {Target / 1000}k sessions, TTL {DefaultHeartbeatTtl.TotalSeconds:0} s", needed),
            new Metric("node CPU per check", checks.CpuMsPerCheck, "ms"),
            new Metric("Redis bytes in per check", checks.RedisBytesPerCheck, "B"),
            new Metric($"reaper share of the node @{Target / 1000}k", needed / checks.PerSecond * 100, "%"),
            new Metric($"reaper CPU @{Target / 1000}k", needed * checks.CpuMsPerCheck / 1000, "cores"),
            new Metric($"reconcile: list {count} machines", reconcileList.TotalMilliseconds, "ms"),
            new Metric($"reconcile: grain calls @{count} (est.)", count / checks.PerSecond * 1000, "ms"),
        ], notes);
    }

    /// <summary>
    /// The managed heap's growth per session, when dotnet-counters read the heap both times. It is not installed
    /// everywhere (a fresh machine has none) and reads nothing before the node's first collection: then there is
    /// no figure, rather than a NaN in the report.
    /// </summary>
    public static Metric? HeapPerSession(long? before, long? after, int sessions) =>
        before is { } b && after is { } a ? new Metric("managed heap/session", (a - b) / (double)sessions, "B").AtMost(4096) : null;

    /// <summary>
    /// Makes each session idle as its agent would: one push of turn.completed for turn 1 (the agent is seen, the
    /// turn done). Tokens come from one list of the app's machines, as reconciliation reads it; that list's time is returned.
    /// </summary>
    private static async Task<TimeSpan> MakeIdleAsync(Bench bench, EmulatorHost fly, HttpClient http, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var machines = await fly.Machines.ListMachinesAsync(EmulatorHost.App, cancellationToken: cancellationToken);
        var listed = clock.Elapsed;
        var tokens = machines
            .Where(m => m.Config?.Metadata?.GetValueOrDefault("agentcluster_session") is not null)
            .ToDictionary(m => m.Config!.Metadata!["agentcluster_session"], m => m.Config!.Env![AgentEnvironment.SessionToken]);
        var completed = EventPayloads.TurnCompleted(TurnOutcomes.Success, exitCode: 0);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var ack = await new SimulatedAgent(http, id, tokens[id]).PushAsync(1, EventTypes.TurnCompleted, [completed], ct);
            if (ack.Status != SessionStatus.Idle) throw new InvalidOperationException($"session {id} is {ack.Status} after its turn completed");
        });
        bench.Log($"scale: listed {machines.Count} machines in {listed.TotalMilliseconds:0} ms; {ids.Count} sessions idle");
        return listed;
    }

    /// <summary>The reaper's Redis schedule: one sorted set per shard.</summary>
    private static async Task<List<RedisKey>> ScheduleKeysAsync(RedisHost redis)
    {
        var keys = new List<RedisKey>();
        await foreach (var key in redis.Server.KeysAsync(pattern: "*/reaper/*"))
            if (await redis.Connection.GetDatabase().KeyTypeAsync(key) == RedisType.SortedSet) keys.Add(key);
        return keys.Count > 0 ? keys : throw new InvalidOperationException("no reaper schedule in Redis");
    }

    private static async Task<Latencies> TimeEmptySweepAsync(Bench bench, RedisHost redis, CancellationToken cancellationToken)
    {
        var key = (await ScheduleKeysAsync(redis))[0];
        var db = redis.Connection.GetDatabase();
        var result = await ClosedLoop.RunAsync(1, bench.WarmUp, bench.Seconds(3, 0.3), async (_, _) =>
        {
            var due = await db.SortedSetRangeByScoreAsync(key, double.NegativeInfinity, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), take: 512);
            if (due.Length > 0) throw new InvalidOperationException($"{due.Length} sessions are due: the sweep is not empty");
        }, cancellationToken);
        Failures.ThrowIfAny("empty sweep read", result);
        return result.Latencies;
    }

    private sealed record CheckRate(int Checked, double PerSecond, double CpuMsPerCheck, double RedisBytesPerCheck);

    /// <summary>Marks <paramref name="count"/> sessions due and reads from the reaper's log how fast it checks them.</summary>
    private static async Task<CheckRate> MeasureChecksAsync(Bench bench, RedisHost redis, NodeHost node, ReaperSweeps sweeps, int count, CancellationToken cancellationToken)
    {
        var keys = await ScheduleKeysAsync(redis);
        var db = redis.Connection.GetDatabase();
        // About count ÷ shards from each shard (the ids hash evenly; a small shard gives what it has).
        var marks = new List<(RedisKey Key, RedisValue[] Members)>();
        foreach (var key in keys)
            marks.Add((key, await db.SortedSetRangeByRankAsync(key, 0, count / keys.Count - 1)));
        var marked = marks.Sum(m => m.Members.Length);

        var (bytes, since) = (await redis.NetInputBytesAsync(), sweeps.Now);
        foreach (var (key, members) in marks)
            foreach (var chunk in members.Chunk(1000))
                await db.SortedSetAddAsync(key, chunk.Select(m => new SortedSetEntry(m, 0)).ToArray());

        // The node's CPU is sampled while waiting, so that only the sweeps' span is counted, not the wait for
        // the next tick (up to a sweep interval of background work).
        var cpu = new List<(TimeSpan At, TimeSpan Cpu)> { (sweeps.Now, node.CpuTime()) };
        await Eventually.TrueAsync(() =>
        {
            cpu.Add((sweeps.Now, node.CpuTime()));
            return Task.FromResult(sweeps.Since(since).Sum(s => s.Checked) >= marked);
        }, bench.Seconds(300, 60), () => $"the reaper checked {sweeps.Since(since).Sum(s => s.Checked)} of {marked} due sessions", cancellationToken);
        var bytesIn = await redis.NetInputBytesAsync() - bytes;
        var done = sweeps.Since(since);
        var failed = done.Sum(s => s.Failed);
        if (failed > 0) throw new InvalidOperationException($"{failed} checks failed");
        var (first, last) = (done.Min(s => s.StartedAt), done.Max(s => s.ReadAt));
        var span = last - first;
        var total = done.Sum(s => s.Checked);
        // From the last sample before the first sweep began to the one taken as the last sweep's line was read.
        var cpuUsed = cpu[^1].Cpu - cpu.LastOrDefault(c => c.At <= first, cpu[0]).Cpu;
        bench.Log($"scale: {total} checks in {done.Count} sweeps over {span.TotalSeconds:0.00} s (slowest sweep {done.Max(s => s.ElapsedMs)} ms)");
        return new CheckRate(total, total / span.TotalSeconds, cpuUsed.TotalMilliseconds / total, bytesIn / (double)total);
    }
}

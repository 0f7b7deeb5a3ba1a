using System.Diagnostics;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Baselines;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 6. What a user waits for: POST /sessions until the first agent.output on the session's stream, with a
/// real agent process (the shell runtime running <c>echo hello</c>) on an emulator that boots at once, so
/// the agent's own start-up is most of it. One session at a time, each deleted (and its machine gone)
/// before the next. The time is split where it can be seen: the create's answer, the agent process's start
/// (from /proc), and the agent's own milestones (from the start-up line it logs after its first turn).
/// </summary>
public sealed class FirstEventScenario : IScenario
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public int Number => 6;
    public string Name => "first-event";
    public string Description => "POST /sessions → first agent.output on the SSE stream, real agent process (shell, echo), Redis mode, no boot delay";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var count = bench.Count(20, 2);
        var (agentFile, agentArgs) = LocalAgent.Command;
        var bareAgent = await ProcessSpawn.MeasureAsync(agentFile, agentArgs, count, cancellationToken);
        var bash = await ProcessSpawn.MeasureAsync("bash", ["-lc", "echo hello"], count, cancellationToken);
        var sh = await ProcessSpawn.MeasureAsync("sh", ["-c", "echo hello"], count, cancellationToken);
        bench.Log($"agent build: {LocalAgent.Kind}; baselines: bare agent start-up p50 {bareAgent.P50:0.0} ms, bash -lc echo p50 {bash.P50:0.0} ms, sh -c echo p50 {sh.P50:0.0} ms");

        await using var fly = await EmulatorHost.StartAsync(processes: true);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis);
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);

        var samples = new List<Sample>(count);
        // One session not counted: the node's first session runs its code paths for the first time.
        for (var i = 0; i <= count; i++)
        {
            var sample = await MeasureOneAsync(fly, http, cancellationToken);
            bench.Log($"first event {i}: {sample}");
            if (i > 0) samples.Add(sample);
        }

        Latencies Of(Func<Sample, double> part) => new(samples.Select(part));
        var first = Of(s => s.FirstOutput);
        var floor = bareAgent.P50 + bash.P50;
        return new ScenarioReport(Name, Description,
        [
            new Metric("first agent.output p50", first.P50, "ms").Against("bare agent start-up + bash -lc echo", floor).AtMost(300),
            new Metric("first agent.output p99", first.P99, "ms").Against("bare agent start-up + bash -lc echo", floor),
            new Metric("create answered p50", Of(s => s.Created).P50, "ms"),
            new Metric("agent process started p50", Of(s => s.ProcessStarted).P50, "ms"),
            new Metric("agent main entered p50", Of(s => s.Main).P50, "ms"),
            new Metric("agent first poll sent p50", Of(s => s.PollSent).P50, "ms"),
            new Metric("agent turn received p50", Of(s => s.TurnReceived).P50, "ms"),
            new Metric("agent output queued p50", Of(s => s.OutputQueued).P50, "ms"),
            new Metric("agent start → first poll p50", Of(s => s.PollSent - s.ProcessStarted).P50, "ms").Against("bare agent start-up", bareAgent.P50),
            new Metric("turn received → output queued p50", Of(s => s.OutputQueued - s.TurnReceived).P50, "ms").Against("bash -lc echo", bash.P50),
            new Metric("bare agent start-up p50", bareAgent.P50, "ms"),
            new Metric("bash -lc echo p50", bash.P50, "ms"),
            new Metric("sh -c echo p50", sh.P50, "ms"),
        ],
        [
            $"{count} sessions one after another (plus one not counted); every time is from the start of POST /sessions. Agent build: {LocalAgent.Kind}.",
            "The process start is the kernel's (10 ms resolution); the agent's milestones are its own, relative to that start.",
            "bare agent start-up: the same agent build without its environment, from start to exit (it stops at reading its configuration).",
            "The shell runtime runs each turn with `bash -lc`; its profile is the machine's (here: the host's /etc/profile, HOME an empty folder).",
        ]);
    }

    private static async Task<Sample> MeasureOneAsync(EmulatorHost fly, HttpClient http, CancellationToken cancellationToken)
    {
        var begin = Stopwatch.GetTimestamp();
        var id = await SessionsClient.CreateAsync(http, "echo hello", cancellationToken);
        var created = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        await using var stream = await SseStream.OpenSessionAsync(http, id, cancellationToken);
        await stream.WaitForAsync(EventTypes.AgentOutput, Deadline, cancellationToken);
        var firstOutput = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;

        // Off the clock: where the time went, then the session is ended and its machine gone before the next.
        var machine = await fly.SessionMachineAsync(id, cancellationToken);
        var process = await fly.ProcessInfoAsync(EmulatorHost.App, machine.Id, cancellationToken);
        var started = Stopwatch.GetElapsedTime(begin, Processes.StartedTimestamp(process.Pid
            ?? throw new InvalidOperationException($"machine {machine.Id} runs no process"))).TotalMilliseconds;
        await stream.WaitForAsync(EventTypes.TurnCompleted, Deadline, cancellationToken);
        var timeline = await AgentStartupLog.ReadAsync(process.LogPath, Deadline, cancellationToken);
        await SessionsClient.DeleteAsync(http, id, cancellationToken);
        await fly.WaitDestroyedAsync(machine.Id, Deadline, cancellationToken);

        double At(string milestone) => timeline.TryGetValue(milestone, out var since)
            ? started + since
            : throw new InvalidOperationException($"the agent's start-up line in {process.LogPath} has no {milestone}");
        return new Sample(created, started, At(AgentStartupLog.Main), At(AgentStartupLog.PollSent),
            At(AgentStartupLog.TurnReceived), At(AgentStartupLog.OutputQueued), firstOutput);
    }

    /// <summary>One session's times, in milliseconds from the start of its POST /sessions.</summary>
    private sealed record Sample(
        double Created, double ProcessStarted, double Main, double PollSent, double TurnReceived, double OutputQueued, double FirstOutput)
    {
        public override string ToString() =>
            $"created {Created:0} ms, process {ProcessStarted:0}, main {Main:0}, poll {PollSent:0}, turn {TurnReceived:0}, " +
            $"output queued {OutputQueued:0}, first output on SSE {FirstOutput:0} ms";
    }
}

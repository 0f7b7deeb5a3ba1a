using System.Diagnostics;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Hosts;

namespace AgentCluster.Benchmarks.Scenarios;

/// <summary>
/// 7. How soon a hung agent costs nothing: real agent processes, each frozen with SIGSTOP once its first turn
/// is done (alive to the OS, silent to the node), timed until the node has told its stream and Fly has
/// destroyed its machine. Short timings (TTL 3 s, heartbeat and sweep every second) so that the figure is the
/// reaper's reaction, not the waiting; the goal is the TTL plus 5 s. The sessions are frozen together, so
/// the sweeps handle several at once.
/// </summary>
public sealed class ReapScenario : IScenario
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public int Number => 7;
    public string Name => "reap";
    public string Description => "Reap latency: agent frozen (SIGSTOP) → machine destroyed (Redis mode, real agents, TTL 3 s, sweep 1 s)";

    public async Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken)
    {
        var count = bench.Count(5, 1);
        await using var fly = await EmulatorHost.StartAsync(processes: true);
        await using var redis = await RedisHost.StartAsync();
        var nodes = await NodeHost.StartClusterAsync(1, fly, redis, new Dictionary<string, string>
        {
            ["Sessions__HeartbeatInterval"] = Interval.ToString(), // handed to each agent as HEARTBEAT_INTERVAL
            ["Sessions__HeartbeatTtl"] = Ttl.ToString(),
            ["Reaper__SweepInterval"] = Interval.ToString(),
        });
        await using var node = nodes[0];
        using var http = bench.Client(node.Url);

        var agents = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StartAgentAsync(fly, http, cancellationToken)));
        try
        {
            var reaped = await Task.WhenAll(agents.Select(a => FreezeAndTimeAsync(fly, a, cancellationToken)));
            foreach (var (r, i) in reaped.Select((r, i) => (r, i)))
                bench.Log($"reap {i}: terminated on the stream {r.Terminated.TotalSeconds:0.00} s, machine destroyed {r.Destroyed.TotalSeconds:0.00} s after the freeze");

            var destroyed = new Latencies(reaped.Select(r => r.Destroyed.TotalSeconds));
            var terminated = new Latencies(reaped.Select(r => r.Terminated.TotalSeconds));
            var goal = (Ttl + TimeSpan.FromSeconds(5)).TotalSeconds;
            return new ScenarioReport(Name, Description,
            [
                new Metric("frozen → machine destroyed p50", destroyed.P50, "s").Against("heartbeat TTL", Ttl.TotalSeconds).AtMost(goal),
                new Metric("frozen → machine destroyed max", destroyed.Max, "s").Against("heartbeat TTL", Ttl.TotalSeconds).AtMost(goal),
                new Metric("frozen → terminated on the stream p50", terminated.P50, "s").Against("heartbeat TTL", Ttl.TotalSeconds),
            ],
            [
                $"{count} sessions, each frozen after its first turn (`echo ready`), all at once; TTL {Ttl.TotalSeconds:0} s, agent heartbeat and reaper sweep every {Interval.TotalSeconds:0} s.",
                "The TTL counts from the agent's last heartbeat, up to one interval before the freeze: a reap may come up to that much before TTL after the freeze.",
                "Machine destroyed: the emulator's /wait answers that the machine reads destroyed.",
            ]);
        }
        finally
        {
            // A frozen agent must not outlive the run: thawed, it finds its session over and exits, or the emulator stops it.
            foreach (var agent in agents) Signals.Thaw(agent.Pid);
            foreach (var agent in agents) await agent.Stream.DisposeAsync();
        }
    }

    /// <summary>A session whose agent has finished its first turn, with its stream still open.</summary>
    private static async Task<Agent> StartAgentAsync(EmulatorHost fly, HttpClient http, CancellationToken cancellationToken)
    {
        var id = await SessionsClient.CreateAsync(http, "echo ready", cancellationToken);
        var stream = await SseStream.OpenSessionAsync(http, id, cancellationToken);
        try
        {
            await stream.WaitForAsync(EventTypes.TurnCompleted, Deadline, cancellationToken);
            var machine = await fly.SessionMachineAsync(id, cancellationToken);
            var process = await fly.ProcessInfoAsync(EmulatorHost.App, machine.Id, cancellationToken);
            return new Agent(id, machine.Id, process.Pid ?? throw new InvalidOperationException($"machine {machine.Id} runs no process"), stream);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private static async Task<Reaped> FreezeAndTimeAsync(EmulatorHost fly, Agent agent, CancellationToken cancellationToken)
    {
        if (!Signals.Freeze(agent.Pid)) throw new InvalidOperationException($"could not freeze the agent (pid {agent.Pid})");
        var frozen = Stopwatch.StartNew();
        var terminated = Task.Run(async () =>
        {
            await agent.Stream.WaitForAsync(EventTypes.SessionStatus, Deadline, cancellationToken,
                e => e.Payload["status"]?.GetValue<string>() == SessionStatus.Terminated.Name());
            return frozen.Elapsed;
        }, cancellationToken);
        await fly.WaitDestroyedAsync(agent.MachineId, Deadline, cancellationToken);
        var destroyed = frozen.Elapsed;
        return new Reaped(await terminated, destroyed);
    }

    private sealed record Agent(string SessionId, string MachineId, int Pid, SseStream Stream);

    private sealed record Reaped(TimeSpan Terminated, TimeSpan Destroyed);
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// Sleep over real processes: a node on its embedded emulator (resume delay 300 ms), real agents running shell
/// turns. A machine of at most 2 GB sleeps suspended and wakes as the same agent process, even after a freeze longer
/// than the agent's orphan timeout; a bigger one sleeps stopped and wakes as a new process.
/// </summary>
public sealed class SleepEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string App = "agentcluster-agents"; // EmbeddedFly.DefaultApp

    /// <summary>The agents' orphan timeout here; a freeze longer than it would end an agent that took it for silence.</summary>
    private static readonly TimeSpan OrphanTimeout = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_small_machine_sleeps_suspended_and_wakes_as_the_same_agent_and_a_big_one_sleeps_stopped()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Sessions__IdleTimeout"] = "00:00:01",
            ["Reaper__SweepInterval"] = "00:00:01",
            ["Sessions__HeartbeatInterval"] = "00:00:01",
            ["Sessions__HeartbeatTtl"] = "00:00:05",
            ["Sessions__AgentOrphanTimeout"] = OrphanTimeout.ToString(),
            ["FlyEmulator__ResumeDelay"] = "00:00:00.3", // the embedded emulator reads the node's environment too
        });
        using var services = EmbeddedEmulator.Client(node);
        var machines = services.GetRequiredService<IFlyMachinesApi>();

        // At most 2 GB: suspended, its agent frozen as it was.
        var (small, smallMachine) = await CreateAsync(node.Http, new { prompt = "echo one" });
        await using (var stream = await SseStream.OpenSessionAsync(node.Http, small))
        {
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn runs");
            var pid = await EmbeddedEmulator.AgentPidAsync(node, smallMachine);
            await WaitAsleepAsync(stream);
            await WaitForStateAsync(machines, smallMachine, MachineStates.Suspended);
            Assert.True(Processes.Alive(pid), "suspended, not ended");
            var suspendedAt = DateTimeOffset.UtcNow;
            // The scenario: frozen for longer than the agent's orphan timeout (and than a freeze's clock gap).
            await Eventually.TrueAsync(() => Processes.Frozen(pid) && DateTimeOffset.UtcNow - suspendedAt > OrphanTimeout + TimeSpan.FromSeconds(2),
                Deadline, "the agent stays frozen for longer than its orphan timeout");

            var woken = System.Diagnostics.Stopwatch.StartNew();
            await SendAsync(node.Http, small, "echo two");
            await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "the woken session runs its turn");
            output.WriteLine($"suspended: message to turn completed {woken.Elapsed.TotalMilliseconds:0} ms (resume delay 300 ms)");
            Assert.Equal("two", stream.Received.Single(e => e.Turn == 2 && e.Type == "agent.output").Text());
            Assert.Equal(pid, await EmbeddedEmulator.AgentPidAsync(node, smallMachine));
            Assert.True(Processes.Alive(pid) && !Processes.Frozen(pid), "the same agent process carries on: a resume, not a boot");

            var events = (await machines.ListMachineEventsAsync(App, smallMachine, limit: 50)).AsEnumerable().Reverse().ToList();
            Assert.DoesNotContain(events, e => e.Type == "exit"); // the agent never exited, orphaned or otherwise
            var starting = events.Last(e => (e.Type, e.Status) == ("start", MachineStates.Starting));
            var started = events.Last(e => (e.Type, e.Status) == ("start", MachineStates.Started));
            Assert.InRange(started.Timestamp - starting.Timestamp, 300L, 30_000L); // the resume delay, then SIGCONT
        }

        // More than 2 GB: stopped, and a new agent boots on the wake.
        var (big, bigMachine) = await CreateAsync(node.Http, new { prompt = "echo one", guest = new { cpu_kind = "shared", cpus = 2, memory_mb = 4096 } });
        await using (var stream = await SseStream.OpenSessionAsync(node.Http, big))
        {
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn runs");
            var pid = await EmbeddedEmulator.AgentPidAsync(node, bigMachine);
            await WaitAsleepAsync(stream);
            await WaitForStateAsync(machines, bigMachine, MachineStates.Stopped);
            await Eventually.TrueAsync(() => !Processes.Alive(pid), Deadline, "the stopped machine's agent is gone");

            var woken = System.Diagnostics.Stopwatch.StartNew();
            await SendAsync(node.Http, big, "echo two");
            await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "the woken session runs its turn");
            output.WriteLine($"stopped: message to turn completed {woken.Elapsed.TotalMilliseconds:0} ms (boot delay 0, a new agent process)");
            Assert.NotEqual(pid, await EmbeddedEmulator.AgentPidAsync(node, bigMachine));
        }
        await node.Http.DeleteAsync($"/sessions/{small}");
        await node.Http.DeleteAsync($"/sessions/{big}");
    }

    private static async Task<(string Id, string MachineId)> CreateAsync(HttpClient http, object request)
    {
        var created = await http.PostAsJsonAsync("/sessions", request);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var session = JsonNode.Parse(body)!;
        return (session["session_id"]!.GetValue<string>(), session["machine_id"]!.GetValue<string>());
    }

    private static async Task SendAsync(HttpClient http, string id, string content) =>
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync($"/sessions/{id}/messages", new { content })).StatusCode);

    private static Task WaitAsleepAsync(SseStream stream) =>
        stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == "sleeping", Deadline, "idle past its timeout, the session sleeps");

    private static async Task WaitForStateAsync(IFlyMachinesApi machines, string machineId, string state)
    {
        var seen = "";
        await Eventually.TrueAsync(async () => (seen = (await machines.GetMachineAsync(App, machineId)).State!) == state,
            Deadline, () => $"machine {machineId} is {state}; it is {seen}");
    }
}

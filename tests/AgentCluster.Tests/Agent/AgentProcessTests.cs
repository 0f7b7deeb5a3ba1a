using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Agent;

/// <summary>The built agent as a process against a stub orchestrator: what a session's machine, or a pool machine, really runs.</summary>
public sealed class AgentProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string workspace = Directory.CreateTempSubdirectory("agent-ws-").FullName;
    private StubOrchestrator stub = null!;

    public async Task InitializeAsync() => stub = await StubOrchestrator.StartAsync();

    public async Task DisposeAsync()
    {
        await stub.DisposeAsync();
        Directory.Delete(workspace, recursive: true);
    }

    [Fact]
    public async Task A_turn_reports_its_output_and_exit_code_then_the_agent_polls_after_it()
    {
        await using var agent = AgentProcess.Start(stub, workspace);
        stub.QueueTurn("echo one; echo two >&2; exit 3");

        await Eventually.TrueAsync(() => stub.Completion(1) is not null, Deadline, $"turn 1 completed; agent said:\n{agent.Output}");
        var completion = stub.Completion(1)!.Value;
        Assert.Equal("error", completion.GetProperty("outcome").GetString());
        Assert.Equal(3, completion.GetProperty("exit_code").GetInt32());
        Assert.Equal(["one"], stub.Output("stdout"));
        Assert.Equal(["two"], stub.Output("stderr"));

        var events = stub.Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(EventTypes.TurnCompleted, events[^1].Type);
        Assert.All(events, e => Assert.Equal(1, e.Turn));
        Assert.All(events, e => Assert.InRange(e.At!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1)));
        await Eventually.TrueAsync(() => stub.Polls.Any(p => p.After == 1), Deadline, "the next poll asks for turns after 1");
        Assert.Equal(0, stub.Polls[0].After);
    }

    [Fact]
    public async Task Output_reaches_the_session_while_the_turn_still_runs()
    {
        await using var agent = AgentProcess.Start(stub, workspace);
        stub.QueueTurn("echo first; while [ ! -f go ]; do sleep 0.05; done; echo second");

        await Eventually.TrueAsync(() => stub.Output("stdout").Contains("first"), Deadline, "'first' arrived while the turn waits for the file");
        Assert.Null(stub.Completion(1));
        Assert.DoesNotContain("second", stub.Output("stdout"));

        await File.WriteAllTextAsync(Path.Combine(workspace, "go"), "");
        await Eventually.TrueAsync(() => stub.Completion(1) is not null, Deadline, "the turn completed once the file existed");
        Assert.Equal(["first", "second"], stub.Output("stdout"));
        Assert.Equal("success", stub.Completion(1)!.Value.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task An_interrupt_stops_the_running_command_and_the_next_turn_runs()
    {
        await using var agent = AgentProcess.Start(stub, workspace);
        stub.QueueTurn("echo started; sleep 600");
        await Eventually.TrueAsync(() => stub.Output("stdout").Contains("started"), Deadline, $"the command runs; agent said:\n{agent.Output}");

        stub.Interrupt(1);
        await Eventually.TrueAsync(() => stub.Completion(1) is not null, Deadline, $"turn 1 ended; agent said:\n{agent.Output}");
        Assert.Equal("interrupted", stub.Completion(1)!.Value.GetProperty("outcome").GetString());

        stub.QueueTurn("echo after");
        await Eventually.TrueAsync(() => stub.Completion(2) is not null, Deadline, "turn 2 completed");
        Assert.Contains("after", stub.Output("stdout"));
    }

    [Fact]
    public async Task Pushes_are_repeated_until_acknowledged_and_each_event_is_stored_once()
    {
        stub.FailNextPushes(3, afterStoring: true);
        await using var agent = AgentProcess.Start(stub, workspace);
        stub.QueueTurn("for i in $(seq 1 300); do echo line$i; done");

        await Eventually.TrueAsync(() => stub.Completion(1) is not null, Deadline, $"turn 1 completed; agent said:\n{agent.Output}");
        Assert.Equal(Enumerable.Range(1, 300).Select(i => $"line{i}"), stub.Output("stdout"));
        var events = stub.Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.True(stub.Duplicates > 0, "the events of the pushes whose ack was lost came again");
        Assert.True(stub.Pushes >= 3 + 1 + 2, $"at least 3 failed pushes and then batches of at most 100; saw {stub.Pushes}");
    }

    [Fact]
    public async Task Pushes_rejected_with_503_are_retried()
    {
        stub.FailNextPushes(2, afterStoring: false);
        await using var agent = AgentProcess.Start(stub, workspace);
        stub.QueueTurn("echo a; echo b");

        await Eventually.TrueAsync(() => stub.Completion(1) is not null, Deadline, $"turn 1 completed; agent said:\n{agent.Output}");
        Assert.Equal(["a", "b"], stub.Output("stdout"));
        Assert.Equal(0, stub.Duplicates);
    }

    [Fact]
    public async Task A_dead_first_url_fails_over_to_the_next()
    {
        var dead = $"http://127.0.0.1:{Ports.FreeLoopback()}";
        await using var agent = AgentProcess.Start(stub, workspace, urls: $"{dead},{stub.Url}");
        stub.QueueTurn("echo via failover");
        stub.QueueTurn("echo again");

        await Eventually.TrueAsync(() => stub.Completion(2) is not null, Deadline, $"both turns completed; agent said:\n{agent.Output}");
        Assert.Equal(["via failover", "again"], stub.Output("stdout"));
    }

    [Fact]
    public async Task Gone_ends_the_agent_and_kills_the_running_turn()
    {
        await using var agent = AgentProcess.Start(stub, workspace, new Dictionary<string, string?> { [AgentEnvironment.HeartbeatInterval] = "0.2" });
        // A command after the sleep keeps bash from exec-ing it: the turn is a tree of two processes.
        stub.QueueTurn("echo started; sleep 600; echo never");
        await Eventually.TrueAsync(() => stub.Output("stdout").Contains("started"), Deadline, "the turn started");
        var turnProcesses = agent.Descendants();
        Assert.Equal(2, turnProcesses.Count);

        stub.Mode = StubMode.Gone;
        Assert.Equal(0, await agent.ExitCodeAsync(TimeSpan.FromSeconds(10)));
        await Eventually.TrueAsync(() => !turnProcesses.Any(Processes.Alive), TimeSpan.FromSeconds(5), "the turn's processes were killed");
    }

    [Fact]
    public async Task An_ack_saying_terminated_ends_the_agent()
    {
        await using var agent = AgentProcess.Start(stub, workspace, new Dictionary<string, string?> { [AgentEnvironment.HeartbeatInterval] = "0.2" });
        await Eventually.TrueAsync(() => stub.Heartbeats.Count > 0, Deadline, "the agent called in");

        stub.Mode = StubMode.Terminated;
        Assert.Equal(0, await agent.ExitCodeAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("terminated", agent.Output);
    }

    [Fact]
    public async Task A_stop_signal_interrupts_the_turn_and_delivers_its_report()
    {
        await using var agent = AgentProcess.Start(stub, workspace);
        // A command after the sleep keeps bash from exec-ing it: the turn is a tree of two processes.
        stub.QueueTurn("echo started; sleep 600; echo never");
        await Eventually.TrueAsync(() => stub.Output("stdout").Contains("started"), Deadline, "the turn started");
        var turnProcesses = agent.Descendants();

        Assert.True(Signals.Interrupt(agent.Id));
        Assert.Equal(0, await agent.ExitCodeAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("interrupted", stub.Completion(1)?.GetProperty("outcome").GetString());
        await Eventually.TrueAsync(() => !turnProcesses.Any(Processes.Alive), TimeSpan.FromSeconds(5), "the turn's processes were killed");
    }

    [Fact]
    public async Task With_no_orchestrator_answering_the_agent_exits_3_after_the_orphan_timeout()
    {
        var dead = $"http://127.0.0.1:{Ports.FreeLoopback()},http://127.0.0.1:{Ports.FreeLoopback()}";
        await using var agent = AgentProcess.Start(null, workspace, new Dictionary<string, string?> { [AgentEnvironment.OrphanTimeout] = "1.5" }, dead);

        Assert.Equal(3, await agent.ExitCodeAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("orphaned", agent.Output);
    }

    [Fact]
    public async Task A_quiet_agent_sends_heartbeats_with_its_instance()
    {
        await using var agent = AgentProcess.Start(stub, workspace, new Dictionary<string, string?> { [AgentEnvironment.HeartbeatInterval] = "0.2" });

        await Eventually.TrueAsync(() => stub.Heartbeats.Count >= 4, Deadline, $"several heartbeats; agent said:\n{agent.Output}");
        var instance = Assert.Single(stub.Heartbeats.Distinct());
        Assert.False(string.IsNullOrWhiteSpace(instance));
        Assert.All(stub.Polls, p => Assert.Equal(instance, p.Instance));
    }

    [Fact]
    public async Task A_refused_token_exits_2_without_logging_the_token()
    {
        stub.Mode = StubMode.Forbidden;
        await using var agent = AgentProcess.Start(stub, workspace);

        Assert.Equal(2, await agent.ExitCodeAsync(Deadline));
        Assert.Contains("refused", agent.Output);
        Assert.DoesNotContain(StubOrchestrator.Token, agent.Output);
    }

    [Fact]
    public async Task Missing_configuration_exits_2()
    {
        await using var agent = AgentProcess.Start(stub, workspace, new Dictionary<string, string?> { [AgentEnvironment.SessionToken] = null });

        Assert.Equal(2, await agent.ExitCodeAsync(Deadline));
        Assert.Contains(AgentEnvironment.SessionToken, agent.Output);
    }

    [Fact]
    public async Task An_unknown_runtime_exits_2()
    {
        await using var agent = AgentProcess.Start(stub, workspace, new Dictionary<string, string?> { [AgentEnvironment.Runtime] = "nope" });

        Assert.Equal(2, await agent.ExitCodeAsync(Deadline));
        Assert.Contains("unknown runtime 'nope'", agent.Output);
    }

    /// <summary>What a node gives a pool machine: a pool credential and no session.</summary>
    private AgentProcess StartPooled(string? urls = null, string? orphanTimeout = null) => AgentProcess.Start(new Dictionary<string, string?>
    {
        [AgentEnvironment.PoolToken] = StubOrchestrator.PoolToken,
        [AgentEnvironment.Pool] = StubOrchestrator.Pool,
        [AgentEnvironment.OrchestratorUrls] = urls ?? stub.Url.ToString(),
        [AgentEnvironment.Workspace] = workspace,
        [AgentEnvironment.OrphanTimeout] = orphanTimeout,
        [AgentConfig.MachineIdVariable] = StubOrchestrator.MachineId,
    });

    [Fact]
    public async Task A_pooled_agent_waits_on_past_the_orphan_timeout_with_no_node_answering()
    {
        var dead = $"http://127.0.0.1:{Ports.FreeLoopback()}";
        var started = DateTime.UtcNow;
        await using var agent = StartPooled(dead, orphanTimeout: "0.3");

        // Six failed polls take at least 50+100+200+400+800 ms of backoff: well past the orphan timeout.
        await Eventually.TrueAsync(() => agent.Output.Split("claim poll via").Length > 6 || agent.HasExited, Deadline,
            $"six failed claim polls; agent said:\n{agent.Output}");
        Assert.False(agent.HasExited, $"the agent exited; it said:\n{agent.Output}");
        Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(1));
        Assert.DoesNotContain("orphaned", agent.Output);
    }

    [Fact]
    public async Task A_pooled_agent_asks_for_its_claim_at_once_then_runs_the_claimed_sessions_turns()
    {
        var started = DateTime.UtcNow;
        await using var agent = StartPooled();
        await Eventually.TrueAsync(() => stub.ClaimPolls.Count > 0, Deadline, $"the first claim poll; agent said:\n{agent.Output}");
        output.WriteLine($"process start to the first claim poll: {(stub.ClaimPolls[0].At - started).TotalMilliseconds:0} ms");
        Assert.Contains($"pooled pool={StubOrchestrator.Pool} machine={StubOrchestrator.MachineId}", agent.Output);
        Assert.DoesNotContain("started session", agent.Output);
        Assert.Empty(stub.Polls);

        stub.QueueTurn("echo claimed");
        stub.Claim();

        await Eventually.TrueAsync(() => stub.Completion(1) is not null, Deadline, $"turn 1 completed; agent said:\n{agent.Output}");
        Assert.Equal(["claimed"], stub.Output("stdout"));
        Assert.Contains($"started session={StubOrchestrator.SessionId} machine={StubOrchestrator.MachineId} runtime=shell", agent.Output);
        Assert.DoesNotContain(StubOrchestrator.PoolToken, agent.Output);
        Assert.DoesNotContain(StubOrchestrator.Token, agent.Output);
    }

    [Fact]
    public async Task A_claim_poll_lost_while_the_machine_slept_is_asked_again_as_soon_as_it_wakes()
    {
        await using var agent = StartPooled();
        await Eventually.TrueAsync(() => stub.ClaimPolls.Count > 0, Deadline, $"the first claim poll; agent said:\n{agent.Output}");

        // Suspended in the pool: the node drops the poll it held, and a session claims the machine, while it sleeps.
        Assert.True(Signals.Freeze(agent.Id));
        stub.DropHeldClaimPolls();
        stub.QueueTurn("echo awake");
        stub.Claim();
        // Asleep, and for longer than the first backoff (100 ms) since the poll went out: a retry is then due at the thaw.
        await Eventually.TrueAsync(() => Processes.Frozen(agent.Id) && DateTime.UtcNow - stub.ClaimPolls[0].At > TimeSpan.FromMilliseconds(200),
            Deadline, "the agent is frozen, its poll out longer than a first backoff");
        Assert.Single(stub.ClaimPolls);

        var thawed = DateTime.UtcNow;
        Assert.True(Signals.Thaw(agent.Id));
        await Eventually.TrueAsync(() => stub.ClaimPolls.Count > 1, Deadline, $"a second claim poll; agent said:\n{agent.Output}");
        var latency = stub.ClaimPolls[1].At - thawed;
        output.WriteLine($"thaw to the next claim poll: {latency.TotalMilliseconds:0} ms");
        Assert.True(latency < TimeSpan.FromSeconds(1), $"the claim was asked again {latency.TotalMilliseconds:0} ms after the thaw");
        Assert.Contains($"claim poll via {stub.Url} failed", agent.Output);
        Assert.Contains($"retrying via {stub.Url} in 0 ms", agent.Output);

        await Eventually.TrueAsync(() => stub.Completion(1) is not null, Deadline, $"turn 1 completed; agent said:\n{agent.Output}");
        Assert.Equal(["awake"], stub.Output("stdout"));
    }

    [Fact]
    public async Task A_stop_signal_while_waiting_in_the_pool_exits_0()
    {
        await using var agent = StartPooled();
        await Eventually.TrueAsync(() => stub.ClaimPolls.Count > 0, Deadline, $"the first claim poll; agent said:\n{agent.Output}");

        Assert.True(Signals.Terminate(agent.Id));

        Assert.Equal(0, await agent.ExitCodeAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopped while waiting in the pool", agent.Output);
    }

    [Fact]
    public async Task A_pool_token_without_its_machine_id_exits_2_naming_it()
    {
        await using var agent = AgentProcess.Start(new Dictionary<string, string?>
        {
            [AgentEnvironment.PoolToken] = StubOrchestrator.PoolToken,
            [AgentEnvironment.Pool] = StubOrchestrator.Pool,
            [AgentEnvironment.OrchestratorUrls] = stub.Url.ToString(),
            [AgentConfig.MachineIdVariable] = null,
        });

        Assert.Equal(2, await agent.ExitCodeAsync(Deadline));
        Assert.Contains(AgentConfig.MachineIdVariable, agent.Output);
        Assert.DoesNotContain(StubOrchestrator.PoolToken, agent.Output);
    }
}

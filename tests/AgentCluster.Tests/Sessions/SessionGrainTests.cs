using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Machines;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Sessions;

/// <summary>SessionGrain in a TestCluster against the Machines emulator; the test plays the agent.</summary>
[Collection(SessionClusterCollection.Name)]
public sealed class SessionGrainTests(SessionClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static StartSession Prompt(string prompt = "echo hello") => new()
    {
        Prompt = prompt,
        Env = new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-secret-value" },
        Metadata = new Dictionary<string, string> { ["team"] = "platform" },
    };

    [Fact]
    public async Task A_session_lives_from_start_through_turns_to_delete_and_its_machine_goes_with_it()
    {
        var id = SessionClusterFixture.NewId();
        var session = fixture.Session(id);

        var started = await session.StartAsync(Prompt());
        Assert.True(started.Created);
        Assert.Equal(SessionStatus.Starting, started.Session.Status);
        var machine = await fixture.Machines.GetMachineAsync(SessionClusterFixture.App, started.Session.MachineId!);
        Assert.Equal(SessionMachines.NameFor(id), machine.Name);
        Assert.Equal(id, machine.Config!.Metadata![SessionMachines.SessionMetadataKey]);
        Assert.Equal("platform", machine.Config.Metadata["team"]);
        Assert.Equal("sk-ant-secret-value", machine.Config.Env!["ANTHROPIC_API_KEY"]);
        Assert.Equal(id, machine.Config.Env[AgentEnvironment.SessionId]);
        Assert.Equal("http://127.0.0.1:9", machine.Config.Env[AgentEnvironment.OrchestratorUrls]);

        var token = await fixture.AgentTokenAsync(machine.Id);
        var turn = await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        Assert.Equal(new AgentTurn(1, "echo hello"), turn);
        Assert.Equal(SessionStatus.Running, (await session.GetAsync())!.Status);

        var ack = await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (1, "hello")) with
        {
            Events = [.. SessionClusterFixture.Output("a1", 1, (1, "hello")).Events, SessionClusterFixture.TurnCompleted(2, 1)],
        });
        Assert.Equal(new AgentAck(2, SessionStatus.Idle), ack);

        Assert.Equal(2, await session.SendMessageAsync("ls"));
        Assert.Equal(SessionStatus.Running, (await session.GetAsync())!.Status);
        Assert.Equal(new AgentTurn(2, "ls"), await session.AgentNextTurnAsync(token, "a1", 1, TimeSpan.Zero));

        var deleted = await session.DeleteAsync();
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Deleted), (deleted.Status, deleted.Reason));
        await Eventually.TrueAsync(async () =>
            (await fixture.Machines.ListMachinesAsync(SessionClusterFixture.App)).All(m => m.Id != machine.Id),
            Deadline, "the machine is destroyed");

        var events = await SessionClusterFixture.ReadAllAsync(session, 0);
        Assert.Equal(
            ["session.status", "user.message", "session.status", "agent.output", "turn.completed", "session.status", "user.message", "session.status", "session.status"],
            events.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Contains("\"terminated\"", events[^1].Payload);
        Assert.DoesNotContain(events, e => e.Payload.Contains("sk-ant-secret-value") || e.Payload.Contains(token));

        var gone = await Assert.ThrowsAsync<SessionException>(() => session.SendMessageAsync("too late"));
        Assert.Equal(SessionErrorKind.Terminated, gone.Kind);
        Assert.Equal(SessionErrorKind.Terminated, (await Assert.ThrowsAsync<SessionException>(() => session.AgentHeartbeatAsync(token, "a1"))).Kind);
    }

    [Fact]
    public async Task Starting_the_same_session_again_returns_it_without_a_second_machine()
    {
        var id = SessionClusterFixture.NewId();
        var first = await fixture.Session(id).StartAsync(Prompt());
        var again = await fixture.Session(id).StartAsync(Prompt("something else"));

        Assert.False(again.Created);
        Assert.Equal(first.Session.MachineId, again.Session.MachineId);
        Assert.Single(await MachinesOf(id));
        await fixture.Session(id).DeleteAsync();
    }

    [Fact]
    public async Task A_create_that_failed_is_resumed_by_the_retry_and_makes_one_machine()
    {
        var id = SessionClusterFixture.NewId();
        await fixture.SetFaultsAsync(new FaultRule { Action = "machine.create", ServerErrorRate = 1, MaxErrors = 1 });
        try
        {
            var failed = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(id).StartAsync(Prompt()));
            Assert.Equal(SessionErrorKind.MachineProviderUnavailable, failed.Kind);
            Assert.Equal(SessionStatus.Starting, (await fixture.Session(id).GetAsync())!.Status);
        }
        finally
        {
            await fixture.SetFaultsAsync();
        }

        var retried = await fixture.Session(id).StartAsync(Prompt());
        Assert.True(retried.Created);
        Assert.Equal(retried.Session.MachineId, Assert.Single(await MachinesOf(id)).Id);
        var events = await SessionClusterFixture.ReadAllAsync(fixture.Session(id), 0, until: 2);
        Assert.Equal(["session.status", "user.message"], events.Select(e => e.Type)); // the prompt is queued once
        await fixture.Session(id).DeleteAsync();
    }

    [Fact]
    public async Task A_machine_left_by_an_earlier_attempt_is_adopted_and_given_the_session_token()
    {
        var id = SessionClusterFixture.NewId();
        var orphan = await fixture.Machines.CreateMachineAsync(SessionClusterFixture.App, new CreateMachineRequest
        {
            Name = SessionMachines.NameFor(id),
            Config = new MachineConfig
            {
                Image = SessionClusterFixture.IdleImage,
                Env = new Dictionary<string, string> { [AgentEnvironment.SessionToken] = "lost-token" },
                Metadata = new Dictionary<string, string> { [SessionMachines.SessionMetadataKey] = id },
            },
        });

        var started = await fixture.Session(id).StartAsync(Prompt());

        Assert.Equal(orphan.Id, started.Session.MachineId);
        Assert.Single(await MachinesOf(id));
        var token = await fixture.AgentTokenAsync(orphan.Id);
        Assert.NotEqual("lost-token", token);
        Assert.Equal(SessionStatus.Running, (await fixture.Session(id).AgentHeartbeatAsync(token, "a1")).Status);
        await fixture.Session(id).DeleteAsync();
    }

    [Fact]
    public async Task Agent_events_are_stored_once_in_order_whatever_is_sent_again()
    {
        var (session, token) = await StartedAsync();

        Assert.Equal(3, (await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (1, "one"), (2, "two"), (3, "three")))).AckedSeq);
        Assert.Equal(5, (await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (5, "five"), (2, "two"), (4, "four"), (3, "three")))).AckedSeq);
        Assert.Equal(5, (await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (4, "four"), (5, "five")))).AckedSeq);
        // A restarted agent numbers its events from 1 again: a new instance, new events.
        Assert.Equal(1, (await session.AgentPushAsync(token, SessionClusterFixture.Output("a2", 1, (1, "after restart")))).AckedSeq);

        var texts = (await SessionClusterFixture.ReadAllAsync(session, 0)).Where(e => e.Type == EventTypes.AgentOutput).Select(e => e.Payload).ToList();
        Assert.Equal(["one", "two", "three", "four", "five", "after restart"], texts.Select(p => System.Text.Json.JsonDocument.Parse(p).RootElement.GetProperty("text").GetString()));
        await session.DeleteAsync();
    }

    [Fact]
    public async Task A_watcher_replays_from_a_sequence_number_and_the_log_outlives_the_activation()
    {
        var (session, token) = await StartedAsync();
        await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (1, "one"), (2, "two"), (3, "three")));
        var all = await SessionClusterFixture.ReadAllAsync(session, 0, until: 6);

        await fixture.Cluster.DeactivateAsync(session);
        var after3 = await SessionClusterFixture.ReadAllAsync(session, 3, until: 6);

        Assert.Equal(all.Skip(3).Select(e => (e.Seq, e.Type, e.Payload)), after3.Select(e => (e.Seq, e.Type, e.Payload)));
        // The agent's cursor survived too: its retried batch is not stored twice.
        Assert.Equal(3, (await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (3, "three")))).AckedSeq);
        Assert.Equal(6, (await session.GetAsync())!.LastEventId);
        await session.DeleteAsync();
    }

    [Fact]
    public async Task Many_watchers_a_stalled_one_and_a_busy_agent_do_not_block_each_other_or_the_grain()
    {
        const int Batches = 40, PerBatch = 25; // 1000 events: twice a watcher's buffer
        var (session, token) = await StartedAsync();
        var head = (await session.GetAsync())!.LastEventId;

        // A watcher that takes one event and then stops reading, as a stuck HTTP client would.
        await using var stalled = session.WatchAsync(head).GetAsyncEnumerator();
        var watchers = Enumerable.Range(0, 10).Select(_ => SessionClusterFixture.ReadAllAsync(session, head, until: head + Batches * PerBatch)).ToList();

        var seq = 0L;
        for (var b = 0; b < Batches; b++)
        {
            var lines = Enumerable.Range(0, PerBatch).Select(_ => (++seq, $"line {seq}")).ToArray();
            Assert.Equal(seq, (await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, lines))).AckedSeq);
            if (b == 0) Assert.True(await stalled.MoveNextAsync());
            Assert.NotNull(await session.GetAsync()); // the grain answers while everything streams
        }

        var expected = Enumerable.Range(1, Batches * PerBatch).Select(i => head + i).ToList();
        foreach (var watcher in watchers) Assert.Equal(expected, (await watcher.WaitAsync(Deadline)).Select(e => e.Seq));

        // The stalled watcher fell behind its buffer; it still gets every event, once, in order.
        var rest = new List<long> { stalled.Current.Seq };
        while (rest[^1] < expected[^1] && await stalled.MoveNextAsync().AsTask().WaitAsync(Deadline)) rest.Add(stalled.Current.Seq);
        Assert.Equal(expected, rest);
        await session.DeleteAsync();
    }

    [Fact]
    public async Task A_waiting_agent_poll_does_not_hold_up_messages_and_gets_the_new_turn_at_once()
    {
        var (session, token) = await StartedAsync();
        Assert.Equal(1, (await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero))!.Turn);
        await session.AgentPushAsync(token, new AgentEventBatch("a1", [SessionClusterFixture.TurnCompleted(1, 1)]));

        var poll = session.AgentNextTurnAsync(token, "a1", 1, TimeSpan.FromSeconds(15));
        Assert.Equal(2, await session.SendMessageAsync("next").WaitAsync(Deadline));
        Assert.Equal(new AgentTurn(2, "next"), await poll.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Null(await session.AgentNextTurnAsync(token, "a1", 2, TimeSpan.FromMilliseconds(50)));
        await session.DeleteAsync();
    }

    [Fact]
    public async Task A_turn_whose_agent_died_is_reported_interrupted_not_run_twice()
    {
        var (session, token) = await StartedAsync();
        Assert.Equal(1, (await session.AgentNextTurnAsync(token, "old", 0, TimeSpan.Zero))!.Turn);
        await session.SendMessageAsync("second");

        // The machine restarted the agent: a new process asks from the beginning.
        Assert.Equal(new AgentTurn(2, "second"), await session.AgentNextTurnAsync(token, "new", 0, TimeSpan.Zero));
        var completed = (await SessionClusterFixture.ReadAllAsync(session, 0)).Single(e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal(1, completed.Turn);
        Assert.Contains("\"interrupted\"", completed.Payload);
        await session.DeleteAsync();
    }

    [Fact]
    public async Task A_token_opens_only_its_own_session()
    {
        var (first, firstToken) = await StartedAsync();
        var (second, _) = await StartedAsync();

        var refused = await Assert.ThrowsAsync<SessionException>(() => second.AgentHeartbeatAsync(firstToken, "a1"));
        Assert.Equal(SessionErrorKind.Forbidden, refused.Kind);
        Assert.Equal(SessionErrorKind.Forbidden, (await Assert.ThrowsAsync<SessionException>(() => second.AgentNextTurnAsync("ast_guess", "a1", 0, TimeSpan.Zero))).Kind);
        await first.DeleteAsync();
        await second.DeleteAsync();
    }

    [Fact]
    public async Task Bad_starts_are_refused_with_the_field_and_leave_nothing_behind()
    {
        var id = SessionClusterFixture.NewId();
        var refused = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(id).StartAsync(Prompt() with
        {
            Env = new Dictionary<string, string> { ["AGENTCLUSTER_SESSION_TOKEN"] = "mine" },
        }));
        Assert.Equal((SessionErrorKind.Invalid, "env.AGENTCLUSTER_SESSION_TOKEN"), (refused.Kind, refused.Field));
        Assert.Null(await fixture.Session(id).GetAsync());
        Assert.Empty(await MachinesOf(id));
        Assert.Equal(SessionErrorKind.NotFound, (await Assert.ThrowsAsync<SessionException>(() => fixture.Session(id).DeleteAsync())).Kind);
    }

    private async Task<(ISessionGrain Session, string Token)> StartedAsync()
    {
        var session = fixture.Session(SessionClusterFixture.NewId());
        var started = await session.StartAsync(Prompt());
        return (session, await fixture.AgentTokenAsync(started.Session.MachineId!));
    }

    private async Task<List<Machine>> MachinesOf(string id) =>
        (await fixture.Machines.ListMachinesByMetadataAsync(SessionClusterFixture.App, SessionMachines.SessionMetadataKey, id))
            .Where(m => MachineStates.IsActive(m.State)).ToList();

    /// <summary>Every event after <paramref name="after"/> up to <paramref name="until"/> (default: the last one now), read through a watcher.</summary>
}

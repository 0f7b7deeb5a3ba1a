using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Step = AgentCluster.Silo.Sessions.SessionStep;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>
/// The session's rules on their own (<see cref="Session"/>): every deadline and transition on a fake clock, with
/// no silo, no storage and no machine; what the grain would carry out is read from the steps each command returns.
/// </summary>
public sealed partial class SessionRulesTests
{
    private static readonly AgentSessionOptions Options = new()
    {
        BootGrace = TimeSpan.FromSeconds(60),
        HeartbeatTtl = TimeSpan.FromMinutes(30), // longer than the other deadlines, so that each is the next check in its test
        StallTimeout = TimeSpan.FromMinutes(15),
        StallGrace = TimeSpan.FromMinutes(5),
        IdleTimeout = TimeSpan.FromMinutes(10),
        RetentionTimeout = TimeSpan.FromHours(24),
        TurnTimeoutGrace = TimeSpan.FromSeconds(30),
        MaxQueuedTurns = 3,
    };

    private static readonly ReaperOptions Reaper = new() { DestroyRetry = TimeSpan.FromSeconds(30) };

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
    private readonly Session session = new("s1", new SessionState(), Options, Reaper, NullLogger.Instance);

    private DateTimeOffset Now => time.GetUtcNow();
    private SessionState S => session.State;

    [Fact]
    public void A_new_session_is_starting_with_its_prompt_as_turn_1_and_the_boot_grace_to_call_in()
    {
        var events = Start();

        Assert.Equal((SessionStatus.Starting, 1, "starting"), (S.Status, S.Turns, S.StatusName));
        Assert.Equal([EventTypes.SessionStatus, EventTypes.UserMessage], events.Select(e => e.Type));
        Assert.Equal(Now + Options.BootGrace, session.NextCheck(Now));
    }

    [Fact]
    public void An_agent_that_never_calls_in_is_reaped_at_the_end_of_its_boot_grace_after_a_warning()
    {
        Start();
        time.Advance(Options.BootGrace - TimeSpan.FromSeconds(1));
        Assert.Empty(session.Check(Now).Steps);

        time.Advance(TimeSpan.FromSeconds(1));
        var steps = session.Check(Now).Steps;

        Assert.Equal((SessionStatus.Terminated, TerminationReason.Expired), (S.Status, S.Reason));
        Assert.Equal(WarningKinds.ReapPending, Payload(Appended(steps)[0]).GetProperty("kind").GetString()); // announced first
        Assert.IsType<Step.DestroyMachine>(steps.Single(s => s is Step.DestroyMachine));
        Assert.True(steps.IndexOf(steps.OfType<Step.DestroyMachine>().Single()) < steps.FindLastIndex(s => s is Step.Append),
            "the machine is destroyed before the terminal status is logged");
        Assert.True(Appended(steps)[^1].EndsSession);
        Assert.Equal("expired", S.ReasonName); // stored by its wire name, as before
    }

    [Fact]
    public void The_first_call_makes_it_running_and_each_call_moves_the_heartbeat_deadline_by_the_ttl()
    {
        Start();
        var steps = session.Heartbeat("a1", Now).Steps;
        Assert.Equal(SessionStatus.Running, S.Status);
        Assert.Contains(steps, s => s is Step.Save); // a status change is durable
        Assert.Equal("running", Payload(Appended(steps).Single()).GetProperty("status").GetString());

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(session.Heartbeat("a1", Now).Steps); // a mere heartbeat writes nothing
        Assert.Equal(Now + Options.HeartbeatTtl, session.Agent.HeartbeatDeadline);

        time.Advance(Options.HeartbeatTtl);
        session.Check(Now);
        Assert.Equal(TerminationReason.Expired, S.Reason);
    }

    [Fact]
    public void A_new_activation_gives_the_agent_a_full_grace_from_now()
    {
        Start();
        session.Heartbeat("a1", Now);
        time.Advance(TimeSpan.FromSeconds(29));
        var moved = new Session("s1", S, Options, Reaper, NullLogger.Instance);
        moved.Activated(Now);

        Assert.Equal(Now + Options.HeartbeatTtl, moved.Agent.HeartbeatDeadline);
    }

    [Fact]
    public void A_turn_goes_to_the_agent_once_and_a_new_process_gets_it_reported_interrupted_not_run_again()
    {
        Start();
        Assert.Equal(1, session.TakeTurn("a1", 0, Now).Turn!.Turn);
        Assert.Equal(1, session.TakeTurn("a1", 0, Now).Turn!.Turn); // the same process asking again gets the same turn

        var (next, change) = session.TakeTurn("a2", 0, Now);

        Assert.Null(next);
        var ending = Appended(change.Steps).Single(e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal((1, TurnOutcomes.Interrupted), (ending.Turn, Payload(ending).GetProperty("outcome").GetString()));
        Assert.Equal(SessionStatus.Idle, S.Status);
    }

    [Fact]
    public void Agent_events_are_logged_once_in_order_and_a_turn_ends_once()
    {
        Start();
        session.TakeTurn("a1", 0, Now);
        var batch = new AgentEventBatch("a1", [Output(2), Output(1), Output(2), Completed(3, 1)]);

        var (acked, change) = session.AgentPush(batch, AgentCursor.None, Now);

        Assert.Equal(3, acked);
        Assert.Equal([EventTypes.AgentOutput, EventTypes.AgentOutput, EventTypes.TurnCompleted, EventTypes.SessionStatus],
            Appended(change.Steps).Select(e => e.Type));
        Assert.Equal(new AgentCursor("a1", 3), change.Steps.OfType<Step.Append>().Single().Agent);

        // Sent again (its ack was lost): nothing new. A second end of the same turn: ignored.
        Assert.Empty(Appended(session.AgentPush(batch, new AgentCursor("a1", 3), Now).Change.Steps));
        Assert.Empty(Appended(session.AgentPush(new("a1", [Completed(4, 1)]), new AgentCursor("a1", 3), Now).Change.Steps));
        Assert.Equal(SessionErrorKind.Invalid,
            Assert.Throws<SessionException>(() => session.AgentPush(new("a1", [Output(5, turn: 7)]), new AgentCursor("a1", 4), Now)).Kind);
    }

    [Fact]
    public void A_silent_turn_is_warned_about_after_the_stall_timeout_and_fails_a_grace_later()
    {
        StartRunning();
        Assert.Equal(Now + Options.StallTimeout, session.Agent.StallCheckAt);
        time.Advance(Options.StallTimeout);
        KeepAlive(); // calling in is not speaking: the turn still stalls
        var warning = Appended(session.Check(Now).Steps).Single();
        Assert.Equal(WarningKinds.Stalled, Payload(warning).GetProperty("kind").GetString());

        time.Advance(Options.StallGrace);
        KeepAlive();
        var ending = Appended(session.Check(Now).Steps).First(e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal(TurnOutcomes.Failed, Payload(ending).GetProperty("outcome").GetString());
        Assert.Equal(SessionStatus.Idle, S.Status);
    }

    [Fact]
    public void An_agent_that_speaks_after_the_warning_keeps_its_turn()
    {
        StartRunning();
        time.Advance(Options.StallTimeout);
        KeepAlive();
        session.Check(Now);
        Assert.NotNull(session.Agent.StallWarnedAt);

        session.AgentPush(new("a1", [Output(1)]), AgentCursor.None, Now);
        time.Advance(Options.StallGrace);
        KeepAlive();

        Assert.DoesNotContain(Appended(session.Check(Now).Steps), e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal(SessionStatus.Running, S.Status);
    }

    [Fact]
    public void A_turn_past_max_turn_seconds_is_interrupted_then_ended_as_timeout_a_grace_later()
    {
        StartRunning(new StartSession { Prompt = "p", MaxTurnSeconds = 60 });
        Assert.Equal(Now + TimeSpan.FromSeconds(60), session.NextCheck(Now));

        time.Advance(TimeSpan.FromSeconds(60));
        KeepAlive();
        var steps = session.Check(Now).Steps;
        Assert.Equal(1, S.InterruptedTurn);
        Assert.Contains(steps, s => s is Step.WakeAgent); // the agent's watch on its turn answers now
        Assert.Equal(WarningKinds.TurnTimeout, Payload(Appended(steps).Single()).GetProperty("kind").GetString());

        time.Advance(Options.TurnTimeoutGrace);
        KeepAlive();
        var ending = Appended(session.Check(Now).Steps).Single(e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal(TurnOutcomes.Timeout, Payload(ending).GetProperty("outcome").GetString());
    }

    [Fact]
    public void The_agents_own_interrupted_end_of_a_timed_out_turn_reads_timeout()
    {
        StartRunning(new StartSession { Prompt = "p", MaxTurnSeconds = 60 });
        time.Advance(TimeSpan.FromSeconds(60));
        KeepAlive();
        session.Check(Now);

        var (_, change) = session.AgentPush(new("a1", [Completed(1, 1, TurnOutcomes.Interrupted)]), AgentCursor.None, Now);

        Assert.Equal(TurnOutcomes.Timeout, Payload(Appended(change.Steps)[0]).GetProperty("outcome").GetString());
    }

    [Fact]
    public void An_idle_session_has_its_machine_put_to_sleep_sleeps_wakes_on_a_message_and_ends_after_its_retention()
    {
        StartIdle();
        Assert.Equal(Now + Options.IdleTimeout, session.NextCheck(Now));
        time.Advance(Options.IdleTimeout);
        KeepAlive();

        var sleep = Assert.IsType<Step.SleepMachine>(Assert.Single(session.Check(Now).Steps));
        Assert.Equal("m1", sleep.MachineId);
        Assert.Equal(SessionStatus.Idle, S.Status); // asleep only once the machine has gone to sleep
        var slept = session.MachineStopped(Now).Steps;
        Assert.Equal((SessionStatus.Sleeping, "sleeping"), (S.Status, Payload(Appended(slept).Single()).GetProperty("status").GetString()));
        Assert.Equal(Now + Options.RetentionTimeout, session.NextCheck(Now));

        session.Woken(Now);
        var (turn, change) = session.Message("again", null, Now);
        Assert.Equal((2, SessionStatus.Starting), (turn, S.Status)); // a new agent process boots
        Assert.Contains(change.Steps, s => s is Step.WakeAgent);
        Assert.Equal(Now + Options.BootGrace, session.Agent.HeartbeatDeadline);

        session.Heartbeat("a2", Now);
        session.AgentPush(new("a2", [Completed(1, 2)]), AgentCursor.None, Now);
        time.Advance(Options.IdleTimeout);
        KeepAlive("a2");
        session.Check(Now);
        session.MachineStopped(Now);
        time.Advance(Options.RetentionTimeout);
        session.Check(Now);
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Idle), (S.Status, S.Reason));
    }

    [Fact]
    public void The_machine_budget_warns_at_80_percent_and_ends_the_session_at_100()
    {
        StartIdle(new StartSession { Prompt = "p", MaxMachineSeconds = 100, IdleTimeout = TimeSpan.FromHours(1) });
        var made = Now;
        Assert.Equal(made + TimeSpan.FromSeconds(80), session.NextCheck(Now));

        time.Advance(TimeSpan.FromSeconds(80));
        KeepAlive();
        var warning = Appended(session.Check(Now).Steps).Single();
        Assert.Equal(WarningKinds.Budget, Payload(warning).GetProperty("kind").GetString());
        Assert.Equal(made + TimeSpan.FromSeconds(100), session.NextCheck(Now));

        time.Advance(TimeSpan.FromSeconds(20));
        KeepAlive();
        session.Check(Now);
        Assert.Equal((TerminationReason.BudgetExceeded, "budget_exceeded"), (S.Reason, S.ReasonName));
        Assert.Equal(100, session.Machine.SecondsAt(Now + TimeSpan.FromHours(1))); // its clock stopped with the machine
    }

    [Fact]
    public void A_task_ends_when_its_turns_are_done_without_going_idle()
    {
        StartRunning(new StartSession { Prompt = "p", Mode = SessionModes.Task });

        var (_, change) = session.AgentPush(new("a1", [Completed(1, 1)]), AgentCursor.None, Now);

        Assert.Equal((SessionStatus.Terminated, TerminationReason.Completed), (S.Status, S.Reason));
        Assert.DoesNotContain(Appended(change.Steps), e => e.Payload.Contains("\"idle\""));
        Assert.Contains(change.Steps, s => s is Step.DestroyMachine);
    }

    [Fact]
    public void An_interrupt_ends_a_queued_turn_at_once_and_asks_the_agent_to_stop_a_running_one()
    {
        StartRunning();
        session.Message("second", null, Now);

        var (running, asked) = session.Interrupt(Now);
        Assert.Equal((1, 1), (running, S.InterruptedTurn));
        Assert.Contains(asked.Steps, s => s is Step.WakeAgent);
        Assert.True(session.Interrupted(1));

        session.AgentPush(new("a1", [Completed(1, 1, TurnOutcomes.Interrupted)]), AgentCursor.None, Now);
        var (queued, ended) = session.Interrupt(Now); // turn 2, not taken yet
        Assert.Equal(2, queued);
        Assert.Equal(2, S.CompletedTurns);
        Assert.Contains(Appended(ended.Steps), e => e.Type == EventTypes.TurnCompleted && e.Turn == 2);
        Assert.Equal(SessionErrorKind.Conflict, Assert.Throws<SessionException>(() => session.Interrupt(Now)).Kind);
    }

    [Fact]
    public void Messages_beyond_the_queue_limit_are_refused()
    {
        StartRunning();
        session.Message("2", null, Now);
        session.Message("3", null, Now);
        Assert.Equal(SessionErrorKind.TooManyTurns, Assert.Throws<SessionException>(() => session.Message("4", null, Now)).Kind);
    }

    [Fact]
    public void Delete_destroys_the_machine_and_releases_the_workspace_and_a_failed_destroy_is_retried()
    {
        session.HoldWorkspace("ws", "vol1");
        StartIdle();

        var steps = session.Delete(Now).Steps;
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Deleted), (S.Status, S.Reason));
        Assert.Equal(new Step.ReleaseWorkspace("local", "ws"), steps.OfType<Step.ReleaseWorkspace>().Single());
        Assert.Empty(session.Delete(Now).Steps); // once

        session.MachineDestroyed(new MachineOutcome(new HttpRequestException("down")));
        Assert.Equal(Now + Reaper.DestroyRetry, session.NextCheck(Now));
        Assert.Equal("m1", Assert.IsType<Step.DestroyMachine>(session.Check(Now).Steps[0]).MachineId);
        session.MachineDestroyed(MachineOutcome.Done);
        Assert.Null(session.NextCheck(Now));
        Assert.Equal(SessionErrorKind.Terminated, Assert.Throws<SessionException>(() => session.Heartbeat("a1", Now)).Kind);
    }

    [Fact]
    public void A_machine_fly_rejected_fails_the_session()
    {
        Start();
        session.CreateRejected("bad image", Now);
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Failed, false), (S.Status, S.Reason, S.Creating));
    }

    [Fact]
    public void Found_machines_are_kept_spared_adopted_or_destroyed_by_what_the_session_knows()
    {
        var young = TimeSpan.FromSeconds(10);
        var old = Reaper.OrphanGrace;
        Assert.Equal(MachineVerdict.Spared, session.Reconcile("m0", young, Reaper.OrphanGrace)); // its session may be on its way
        Assert.Equal(MachineVerdict.Destroyed, session.Reconcile("m0", old, Reaper.OrphanGrace));
        Start();
        Assert.Equal(MachineVerdict.Spared, session.Reconcile("m9", young, Reaper.OrphanGrace));
        Assert.Equal(MachineVerdict.Adopted, session.Reconcile("m9", old, Reaper.OrphanGrace)); // its create's answer was lost
        session.MachineMade(new SessionMachine("m1", "iad", "agents"), Now);
        Assert.Equal(MachineVerdict.Kept, session.Reconcile("m1", old, Reaper.OrphanGrace));
        Assert.Equal(MachineVerdict.Destroyed, session.Reconcile("m2", old, Reaper.OrphanGrace)); // a second one
    }

    [Fact]
    public void The_model_gateway_is_refused_once_max_model_usd_is_spent()
    {
        Start(new StartSession { Prompt = "p", MaxModelUsd = 0.01m });
        session.AgentSetUp(SessionTokens.Hash("amt_x"), "protected-control-key");
        Assert.NotNull(session.AuthorizeModelCall("amt_x"));

        var steps = session.ModelUsed("claude-sonnet-4-5", new TokenUsage(1_000_000, 0), Now).Steps;

        Assert.Equal(WarningKinds.ModelBudget, Payload(Appended(steps).Single()).GetProperty("kind").GetString());
        Assert.Equal(SessionErrorKind.Forbidden, Assert.Throws<SessionException>(() => session.AuthorizeModelCall("amt_x")).Kind);
        Assert.Equal(SessionErrorKind.Forbidden, Assert.Throws<SessionException>(() => session.AuthorizeModel("amt_other")).Kind);
    }

    [Fact]
    public void A_session_waiting_for_the_create_budget_says_its_place_once_asks_again_and_is_not_reaped_as_a_silent_agent()
    {
        Start();
        var queued = session.Queued(4, Now).Steps;

        var status = Payload(Appended(queued).Single());
        Assert.Equal(("starting", 4), (status.GetProperty("status").GetString(), status.GetProperty("queue_position").GetInt32()));
        Assert.Empty(session.Queued(2, Now).Steps); // said once
        Assert.Equal(Now + Session.QueueCheck, session.NextCheck(Now));

        time.Advance(Options.BootGrace * 2); // far past the boot grace: the session has no agent yet to be silent
        Assert.Equal([typeof(Step.RequestMachine)], session.Check(Now).Steps.Select(s => s.GetType()));
        Assert.Equal(SessionStatus.Starting, S.Status);

        session.MachineMade(new SessionMachine("m1", "iad", "agents-2"), Now);
        Assert.Equal(("agents-2", null), (S.App, S.QueuedAt));
        Assert.Equal(Now + Options.BootGrace, session.NextCheck(Now)); // its agent's boot grace counts from its machine
    }

    [Fact]
    public void A_session_that_waited_for_its_machine_past_the_queue_timeout_fails_saying_why()
    {
        Start();
        session.Queued(0, Now);
        time.Advance(Options.MachineQueueTimeout);

        var steps = session.Check(Now).Steps;

        Assert.Equal((SessionStatus.Terminated, TerminationReason.Failed), (S.Status, S.Reason));
        Assert.Contains("MachineQueueTimeout", Payload(Appended(steps).First(e => e.Type == EventTypes.SessionError)).GetProperty("message").GetString());
        Assert.False(session.WaitsForMachine);
    }

    private IReadOnlyList<NewEvent> Start(StartSession? request = null) =>
        session.Open(request ?? new StartSession { Prompt = "p" }, "local", AgentRuntimes.Shell, null, SessionTokens.Hash("ast_t"), null, Now);

    private void StartRunning(StartSession? request = null)
    {
        Start(request);
        session.MachineMade(new SessionMachine("m1", "iad", "agents"), Now);
        session.TakeTurn("a1", 0, Now);
    }

    private void StartIdle(StartSession? request = null)
    {
        StartRunning(request);
        session.AgentPush(new("a1", [Completed(1, 1)]), AgentCursor.None, Now);
        Assert.Equal(SessionStatus.Idle, S.Status);
    }

    /// <summary>The agent goes on calling in (so that the check under test is the only deadline due).</summary>
    private void KeepAlive(string instance = "a1") => session.Heartbeat(instance, Now);

    private static List<NewEvent> Appended(IEnumerable<SessionStep> steps) => steps.OfType<Step.Append>().SelectMany(a => a.Events).ToList();

    private static JsonElement Payload(NewEvent e) => JsonDocument.Parse(e.Payload).RootElement;

    private static AgentEvent Output(long seq, int turn = 1) =>
        new() { Seq = seq, Type = EventTypes.AgentOutput, Turn = turn, Payload = EventPayloads.Output("stdout", $"line {seq}") };

    private static AgentEvent Completed(long seq, int turn, string outcome = TurnOutcomes.Success) =>
        new() { Seq = seq, Type = EventTypes.TurnCompleted, Turn = turn, Payload = EventPayloads.TurnCompleted(outcome, exitCode: 0) };
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Sessions;
using Step = AgentCluster.Silo.Sessions.SessionStep;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>Restart (<see cref="Session.Restart"/>): the machine replaced, the session going on with its turns.</summary>
public sealed partial class SessionRulesTests
{
    [Fact]
    public void A_restarted_idle_session_destroys_its_machine_first_says_restarted_and_asks_for_a_new_one()
    {
        StartIdle();

        var steps = session.Restart(Now).Steps;

        // Saved first (the old agent shut out, the machine retired), destroyed before it is said, a new one asked for last.
        Assert.IsType<Step.Save>(steps[0]);
        Assert.True(steps.FindIndex(s => s is Step.DestroyMachine) < steps.FindIndex(s => s is Step.Append));
        Assert.IsType<Step.RequestMachine>(steps[^1]);
        Assert.Equal("m1", steps.OfType<Step.DestroyMachine>().Single().MachineId);
        var status = Payload(Appended(steps).Single());
        Assert.Equal(("starting", StatusReasons.Restarted), (status.GetProperty("status").GetString(), status.GetProperty("reason").GetString()));
        Assert.Equal((SessionStatus.Starting, null, "m1"), (S.Status, S.MachineId, S.RetiredMachineId));
        Assert.True(session.WaitsForMachine);
        // The old machine's agent is shut out at once, even before its machine is gone.
        Assert.Equal(SessionErrorKind.Forbidden, Assert.Throws<SessionException>(() => session.AuthorizeAgent("ast_t")).Kind);

        session.Retoken(SessionTokens.Hash("ast_new"));
        session.MachineMade(new SessionMachine("m2", "iad", "agents"), Now);
        Assert.Equal(Now + Options.BootGrace, session.NextCheck(Now)); // the new agent's boot grace
        session.AuthorizeAgent("ast_new");
        var (next, change) = session.TakeTurn("a2", 0, Now);
        Assert.Null(next);
        Assert.Equal("idle", Payload(Appended(change.Steps).Single()).GetProperty("status").GetString());
    }

    [Fact]
    public void A_restart_ends_the_running_turn_interrupted_and_the_queued_turn_runs_on_the_new_machine()
    {
        StartRunning();
        session.Message("second", null, Now);

        var steps = session.Restart(Now).Steps;

        var ended = Appended(steps).Single(e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal((1, TurnOutcomes.Interrupted, StatusReasons.Restarted),
            (ended.Turn, Payload(ended).GetProperty("outcome").GetString(), Payload(ended).GetProperty("reason").GetString()));
        Assert.True(session.Interrupted(1)); // an old agent still watching turn 1 is told to stop
        Assert.Equal([2], S.Pending.Select(t => t.Turn));
        Assert.Equal((TurnOutcomes.Interrupted, 1), (S.Results.Last!.Outcome, S.CompletedTurns));

        session.MachineMade(new SessionMachine("m2", "iad", "agents"), Now);
        var (next, change) = session.TakeTurn("a2", 0, Now);
        Assert.Equal(("second", 2), (next!.Content, next.Turn));
        Assert.Equal(SessionStatus.Running, S.Status);
        Assert.DoesNotContain(Appended(change.Steps), e => e.Type == EventTypes.TurnCompleted); // turn 1 ended once
    }

    [Fact]
    public void A_sleeping_session_restarts_its_sleeping_machine_no_longer_counting_its_time()
    {
        StartIdle();
        time.Advance(Options.IdleTimeout);
        KeepAlive();
        session.Check(Now);
        session.MachineStopped(Now);
        var seconds = S.MachineSeconds;

        var steps = session.Restart(Now).Steps;

        Assert.Equal("m1", steps.OfType<Step.DestroyMachine>().Single().MachineId);
        Assert.Contains(steps, s => s is Step.RequestMachine);
        Assert.Equal((SessionStatus.Starting, null, null), (S.Status, S.SleepingSince, S.RunningSince));
        Assert.Equal(seconds, S.MachineSeconds);
        Assert.False(session.Asleep);
    }

    [Fact]
    public void A_terminated_session_cannot_be_restarted()
    {
        StartIdle();
        session.Delete(Now);

        Assert.Equal(SessionErrorKind.Terminated, Assert.Throws<SessionException>(() => session.Restart(Now)).Kind);
    }

    [Fact]
    public void A_session_waiting_for_its_first_machine_has_nothing_to_restart_and_one_whose_create_failed_asks_again()
    {
        Start();
        session.Queued(3, Now);
        Assert.Empty(session.Restart(Now).Steps); // queued: its turn comes by itself
        Assert.Equal(SessionStatus.Starting, S.Status);

        var failed = new Session("s2", new SessionState(), Options, Reaper, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        failed.Open(new StartSession { Prompt = "p" }, "local", AgentRuntimes.Shell, null, SessionTokens.Hash("ast_t"), null, Now);
        Assert.Equal([typeof(Step.RequestMachine)], failed.Restart(Now).Steps.Select(s => s.GetType()));
    }

    [Fact]
    public void The_machine_a_restart_replaced_is_destroyed_by_reconciliation_never_adopted_and_the_session_goes_on()
    {
        StartIdle();
        session.Restart(Now);
        var old = new SessionMachine("m1", "iad", "agents");

        // Its destroy failed and the new machine's create is under way: the old one is not taken for the lost create.
        Assert.Equal(MachineVerdict.Destroyed, session.Reconcile(old.Id, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)));
        Assert.False(session.StrayDestroyed(old.Id));
        session.MachineMade(new SessionMachine("m2", "iad", "agents"), Now);
        Assert.Equal(MachineVerdict.Destroyed, session.Reconcile(old.Id, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)));
        Assert.Equal(MachineVerdict.Kept, session.Reconcile("m2", TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)));
        Assert.Equal(SessionStatus.Starting, S.Status);
    }

    [Fact]
    public void The_request_env_stays_encrypted_in_the_state_for_the_sessions_life()
    {
        session.Open(new StartSession { Prompt = "p" }, "local", AgentRuntimes.Shell, null, SessionTokens.Hash("ast_t"), null, Now, protectedEnv: "sealed");
        session.MachineMade(new SessionMachine("m1", "iad", "agents"), Now);
        session.Restart(Now);
        session.MachineMade(new SessionMachine("m2", "iad", "agents"), Now);

        Assert.Equal("sealed", S.ProtectedEnv);
    }

    [Fact]
    public void A_task_whose_last_turn_a_restart_ended_is_over_and_gets_no_new_machine()
    {
        StartRunning(new StartSession { Prompt = "p", Mode = SessionModes.Task });

        var steps = session.Restart(Now).Steps;

        Assert.Equal((SessionStatus.Terminated, TerminationReason.Failed), (S.Status, S.Reason));
        Assert.DoesNotContain(steps, s => s is Step.RequestMachine);
    }

    [Fact]
    public void A_restart_whose_new_machine_cannot_be_made_yet_keeps_asking_and_fails_after_the_queue_timeout()
    {
        StartIdle();
        session.Restart(Now);

        // Fly unavailable, or the workspace's volume still attached to the old machine.
        Assert.Contains(session.MachineDeferred(Now).Steps, s => s is Step.Save);
        Assert.Empty(session.MachineDeferred(Now).Steps); // once
        Assert.Equal(Now + Session.QueueCheck, session.NextCheck(Now));
        time.Advance(Options.BootGrace * 2); // no agent to reap: it has no machine yet
        Assert.Equal([typeof(Step.RequestMachine)], session.Check(Now).Steps.Select(s => s.GetType()));

        time.Advance(Options.MachineQueueTimeout);
        session.Check(Now);
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Failed), (S.Status, S.Reason));
    }

    [Fact]
    public void A_session_with_its_machine_takes_no_deferral()
    {
        StartIdle();

        Assert.Empty(session.MachineDeferred(Now).Steps);
        Assert.Null(S.QueuedAt);
    }
}

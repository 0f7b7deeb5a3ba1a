using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Sessions;
using Step = AgentCluster.Silo.Sessions.SessionStep;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>Reaching into the machine (exec, files): it keeps the machine awake, and each exec is logged for audit.</summary>
public sealed partial class SessionRulesTests
{
    [Fact]
    public void A_machine_reached_into_does_not_sleep_under_the_call_and_its_idle_time_starts_over_after_it()
    {
        StartIdle();
        time.Advance(Options.IdleTimeout / 2);
        var hold = TimeSpan.FromMinutes(3);

        Assert.Contains(session.Reached(hold, Now).Steps, s => s is Step.Save);
        Assert.Empty(session.Reached(TimeSpan.FromSeconds(1), Now).Steps); // a shorter hold moves nothing

        var callEnds = Now + hold;
        Assert.Equal(callEnds + Options.IdleTimeout, session.NextCheck(Now));
        time.Advance(Options.IdleTimeout);
        KeepAlive();
        Assert.DoesNotContain(session.Check(Now).Steps, s => s is Step.SleepMachine);
        time.Advance(callEnds + Options.IdleTimeout - Now);
        KeepAlive();
        Assert.Contains(session.Check(Now).Steps, s => s is Step.SleepMachine);
    }

    [Fact]
    public void A_terminated_session_cannot_be_reached_into()
    {
        StartIdle();
        session.Delete(Now);

        Assert.Equal(SessionErrorKind.Terminated, Assert.Throws<SessionException>(() => session.Reached(TimeSpan.FromMinutes(1), Now)).Kind);
    }

    [Fact]
    public void An_exec_is_logged_with_its_command_exit_code_and_path_only()
    {
        StartIdle();

        var logged = Appended(session.Exec("git status", 0, "agent", Now).Steps).Single();

        Assert.Equal(EventTypes.SessionExec, logged.Type);
        Assert.Equal("""{"command":"git status","exit_code":0,"via":"agent"}""", logged.Payload);
    }

    [Fact]
    public void A_stopped_machine_forgets_its_agents_control_key_and_a_suspended_one_keeps_it()
    {
        StartIdle();
        session.AgentSetUp(modelTokenHash: null, "protected-key");
        time.Advance(Options.IdleTimeout);
        KeepAlive();
        session.Check(Now);

        session.MachineStopped(Now, SleepMode.Suspend);
        Assert.Equal("protected-key", S.ProtectedControlKey); // the same agent process resumes

        session.Woken(Now);
        session.Heartbeat("a1", Now);
        time.Advance(Options.IdleTimeout);
        KeepAlive();
        session.Check(Now);
        session.MachineStopped(Now, SleepMode.Stop);
        Assert.Null(S.ProtectedControlKey); // a new agent boots, and sets up with a new key
    }

    [Fact]
    public void A_machine_made_before_addresses_were_kept_takes_its_address_from_Fly_once()
    {
        StartIdle();
        S.MachineAddress = null;

        Assert.Empty(session.MachineAddressFound(new SessionMachine("another", "iad", "agents", "127.9.9.9")).Steps);
        Assert.Null(S.MachineAddress);
        Assert.Contains(session.MachineAddressFound(new SessionMachine("m1", "iad", "agents", "127.1.2.3")).Steps, s => s is Step.Save);
        Assert.Equal("127.1.2.3", S.MachineAddress);
    }
}

using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Reaping;
using AgentCluster.Tests.Infrastructure;
using F = AgentCluster.Tests.Infrastructure.ReaperClusterFixture;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// Session deadlines and the reaper, on a fake session clock: the test plays the agent, moves the clock and
/// sweeps, so each deadline is asserted to the second, both sides of it.
/// </summary>
[Collection(ReaperClusterCollection.Name)]
public sealed class ReaperTests(ReaperClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_booting_agent_is_not_reaped_within_the_boot_grace_and_is_reaped_with_a_warning_after_it()
    {
        var (session, _, machineId) = await StartAsync();

        await fixture.AdvanceAndSweepAsync(F.BootGrace - Second);
        Assert.Equal(SessionStatus.Starting, (await session.GetAsync())!.Status);
        Assert.True(await IsLiveAsync(machineId));

        await fixture.AdvanceAndSweepAsync(2 * Second);
        var view = (await session.GetAsync())!;
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Expired), (view.Status, view.Reason));
        await Eventually.TrueAsync(async () => !await IsLiveAsync(machineId), Deadline, "the machine is destroyed");

        var tail = (await SessionClusterFixture.ReadAllAsync(session, 0)).TakeLast(2).ToList();
        Assert.Equal([EventTypes.SessionWarning, EventTypes.SessionStatus], tail.Select(e => e.Type));
        Assert.Equal(WarningKinds.ReapPending, Payload(tail[0]).GetProperty("kind").GetString());
        Assert.Contains("boot grace", Payload(tail[0]).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Heartbeats_keep_a_session_alive_and_the_reaper_destroys_its_machine_one_ttl_after_the_last()
    {
        var (session, token, machineId) = await StartAsync();
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        await session.AgentPushAsync(token, new AgentEventBatch("a1", [SessionClusterFixture.TurnCompleted(1, 1)]));

        // Ten beats 10 s apart: well past the TTL in all, never past it between two.
        for (var beat = 0; beat < 10; beat++)
        {
            await fixture.AdvanceAndSweepAsync(TimeSpan.FromSeconds(10));
            await session.AgentHeartbeatAsync(token, "a1");
        }
        Assert.Equal(SessionStatus.Idle, (await session.GetAsync())!.Status);

        await fixture.AdvanceAndSweepAsync(F.Ttl - Second);
        Assert.Equal(SessionStatus.Idle, (await session.GetAsync())!.Status);
        await fixture.AdvanceAndSweepAsync(2 * Second);
        Assert.Equal(TerminationReason.Expired, (await session.GetAsync())!.Reason);
        await Eventually.TrueAsync(async () => !await IsLiveAsync(machineId), Deadline, "the machine is destroyed");
        Assert.Contains("No heartbeat", Payload((await SessionClusterFixture.ReadAllAsync(session, 0))
            .Single(e => e.Type == EventTypes.SessionWarning)).GetProperty("message").GetString());

        // The agent's token died with the session.
        Assert.Equal(SessionErrorKind.Terminated, (await Assert.ThrowsAsync<SessionException>(() => session.AgentHeartbeatAsync(token, "a1"))).Kind);
    }

    [Fact]
    public async Task A_silent_turn_is_warned_then_failed_with_a_reason_and_the_agents_late_end_of_it_is_not_repeated()
    {
        var (session, token, _) = await StartAsync();
        Assert.Equal(1, (await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero))!.Turn);

        await BeatThroughAsync(session, token, F.StallTimeout - Second);
        Assert.DoesNotContain(await EventsAsync(session), e => e.Type == EventTypes.SessionWarning);

        await BeatThroughAsync(session, token, 2 * Second);
        var warning = Assert.Single(await EventsAsync(session), e => e.Type == EventTypes.SessionWarning);
        Assert.Equal(WarningKinds.Stalled, Payload(warning).GetProperty("kind").GetString());
        Assert.Equal(1, Payload(warning).GetProperty("turn").GetInt32());
        Assert.Equal(SessionStatus.Running, (await session.GetAsync())!.Status);

        await BeatThroughAsync(session, token, F.StallGrace + Second);
        var failed = Assert.Single(await EventsAsync(session), e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal(TurnOutcomes.Failed, Payload(failed).GetProperty("outcome").GetString());
        Assert.StartsWith("stalled", Payload(failed).GetProperty("reason").GetString());
        Assert.Equal(SessionStatus.Idle, (await session.GetAsync())!.Status);

        // The agent finally ends the turn itself: its output is kept, its second ending is not.
        await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (1, "late")) with
        {
            Events = [.. SessionClusterFixture.Output("a1", 1, (1, "late")).Events, SessionClusterFixture.TurnCompleted(2, 1)],
        });
        var events = await EventsAsync(session);
        Assert.Single(events, e => e.Type == EventTypes.TurnCompleted);
        Assert.Single(events, e => e.Type == EventTypes.AgentOutput);
        await session.DeleteAsync();
    }

    [Fact]
    public async Task An_agent_that_keeps_talking_is_never_warned_of_a_stall()
    {
        var (session, token, _) = await StartAsync();
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        for (var beat = 1; beat <= 120; beat++) // 40 min of output every 20 s
        {
            await fixture.AdvanceAndSweepAsync(TimeSpan.FromSeconds(20));
            await session.AgentPushAsync(token, SessionClusterFixture.Output("a1", 1, (beat, $"line {beat}")));
        }
        Assert.DoesNotContain(await EventsAsync(session), e => e.Type == EventTypes.SessionWarning);
        Assert.Equal(SessionStatus.Running, (await session.GetAsync())!.Status);
        await session.DeleteAsync();
    }

    [Theory]
    [InlineData(1024, MachineStates.Suspended)] // Fly suspends a machine of at most 2 GB
    [InlineData(4096, MachineStates.Stopped)]
    public async Task An_idle_session_sleeps_with_its_machine_suspended_or_stopped_wakes_on_a_message_and_ends_after_its_retention(int memoryMb, string asleep)
    {
        var (session, token, machineId) = await StartAsync(new GuestSpec { CpuKind = "shared", Cpus = 2, MemoryMb = memoryMb });
        await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero);
        await session.AgentPushAsync(token, new AgentEventBatch("a1", [SessionClusterFixture.TurnCompleted(1, 1)]));

        await BeatThroughAsync(session, token, F.IdleTimeout - Second);
        Assert.Equal(SessionStatus.Idle, (await session.GetAsync())!.Status);
        await BeatThroughAsync(session, token, 2 * Second);
        Assert.Equal(SessionStatus.Sleeping, (await session.GetAsync())!.Status);
        await WaitForStateAsync(machineId, asleep);

        // Asleep, nobody heartbeats, and nobody is reaped for it.
        await fixture.AdvanceAndSweepAsync(TimeSpan.FromHours(1));
        Assert.Equal(SessionStatus.Sleeping, (await session.GetAsync())!.Status);

        Assert.Equal(2, await session.SendMessageAsync("wake up"));
        await WaitForStateAsync(machineId, MachineStates.Started);
        Assert.Equal(SessionStatus.Starting, (await session.GetAsync())!.Status);
        Assert.Equal(new AgentTurn(2, "wake up"), await session.AgentNextTurnAsync(token, "a2", 0, TimeSpan.Zero));
        Assert.Equal(SessionStatus.Running, (await session.GetAsync())!.Status);
        await session.AgentPushAsync(token, new AgentEventBatch("a2", [SessionClusterFixture.TurnCompleted(1, 2)]));

        await BeatThroughAsync(session, token, F.IdleTimeout, instance: "a2"); // asleep from the last step on
        Assert.Equal(SessionStatus.Sleeping, (await session.GetAsync())!.Status);
        await WaitForStateAsync(machineId, asleep);
        await fixture.AdvanceAndSweepAsync(F.Retention - Second);
        Assert.Equal(SessionStatus.Sleeping, (await session.GetAsync())!.Status);
        await fixture.AdvanceAndSweepAsync(Second);
        Assert.Equal((SessionStatus.Terminated, TerminationReason.Idle), ((await session.GetAsync())!.Status, (await session.GetAsync())!.Reason));
        await Eventually.TrueAsync(async () => !await IsLiveAsync(machineId), Deadline, "the machine is destroyed");

        Assert.Equal(
            [SessionStatus.Starting, SessionStatus.Running, SessionStatus.Idle, SessionStatus.Sleeping, SessionStatus.Starting,
             SessionStatus.Running, SessionStatus.Idle, SessionStatus.Sleeping, SessionStatus.Terminated],
            (await EventsAsync(session)).Where(e => e.Type == EventTypes.SessionStatus).Select(e => SessionWireNames.ParseStatus(Payload(e).GetProperty("status").GetString())!.Value));
    }

    [Fact]
    public async Task A_machine_fly_would_not_destroy_is_destroyed_by_a_later_sweep()
    {
        var (session, _, machineId) = await StartAsync();
        await fixture.SetFaultsAsync(new FaultRule { Action = "machine.destroy", ServerErrorRate = 1 });
        try
        {
            Assert.Equal(SessionStatus.Terminated, (await session.DeleteAsync()).Status);
            Assert.True(await IsLiveAsync(machineId));
        }
        finally
        {
            await fixture.SetFaultsAsync();
        }
        await fixture.AdvanceAndSweepAsync(F.DestroyRetry + Second);
        await Eventually.TrueAsync(async () => !await IsLiveAsync(machineId), Deadline, "the machine is destroyed on the retry");
    }

    [Fact]
    public async Task Reconciliation_destroys_orphans_once_they_are_old_enough_and_never_touches_untagged_machines()
    {
        var unknown = SessionClusterFixture.NewId();
        var orphan = await CreateMachineAsync(unknown, tagged: true);
        var stranger = await CreateMachineAsync(SessionClusterFixture.NewId(), tagged: false);
        var (ended, _, _) = await StartAsync();
        await ended.DeleteAsync();
        var leftover = await CreateMachineAsync((await ended.GetAsync())!.SessionId, tagged: true, name: "leftover");

        var report = await fixture.Reaper.ReconcileAsync();
        Assert.True(await IsLiveAsync(orphan), "a young machine of an unknown session may be a create in flight");
        await Eventually.TrueAsync(async () => !await IsLiveAsync(leftover), Deadline, "a terminated session's machine is destroyed");
        Assert.True(report.Destroyed >= 1);

        fixture.Clock.Advance(F.OrphanGrace + Second);
        await fixture.Reaper.ReconcileAsync();
        await Eventually.TrueAsync(async () => !await IsLiveAsync(orphan), Deadline, "the orphan is destroyed");
        Assert.True(await IsLiveAsync(stranger), "a machine without the session tag is never touched");
        await fixture.Machines.DestroyMachineAsync(SessionClusterFixture.App, stranger, force: true);
    }

    [Fact]
    public async Task Reconciliation_reattaches_a_session_that_lost_track_of_its_machine()
    {
        var id = SessionClusterFixture.NewId();
        var session = fixture.Session(id);
        await fixture.SetFaultsAsync(new FaultRule { Action = "machine.create", ServerErrorRate = 1 });
        try
        {
            var refused = await Assert.ThrowsAsync<SessionException>(() => session.StartAsync(new StartSession { Prompt = "echo hi" }));
            Assert.Equal(SessionErrorKind.MachineProviderUnavailable, refused.Kind);
        }
        finally
        {
            await fixture.SetFaultsAsync();
        }
        Assert.Null((await session.GetAsync())!.MachineId);

        // What a create whose answer was lost leaves behind: the machine, named and tagged for the session.
        var machineId = await CreateMachineAsync(id, tagged: true, name: SessionMachines.NameFor(id));
        Assert.Equal(0, (await fixture.Reaper.ReconcileAsync()).Adopted); // its create may still be under way
        fixture.Clock.Advance(F.OrphanGrace + Second);
        Assert.True((await fixture.Reaper.ReconcileAsync()).Adopted >= 1);

        Assert.Equal(machineId, (await session.GetAsync())!.MachineId);
        var token = await fixture.AgentTokenAsync(machineId);
        Assert.Equal(new AgentTurn(1, "echo hi"), await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero));
        await session.DeleteAsync();
    }

    [Fact]
    public async Task One_sweep_pages_through_a_backlog_and_then_only_looks_at_what_is_due()
    {
        var sessions = new List<(ISessionGrain Session, string Token, string MachineId)>();
        for (var i = 0; i < 3 * F.SweepBatch; i++) sessions.Add(await StartAsync());
        var swept = await fixture.AdvanceAndSweepAsync(F.BootGrace + Second);
        Assert.InRange(swept.Due, sessions.Count, int.MaxValue);
        foreach (var (session, _, _) in sessions) Assert.Equal(TerminationReason.Expired, (await session.GetAsync())!.Reason);

        // Nothing is due now (the expired ones left the schedule), so the next sweep looks at nothing.
        var (live, token, _) = await StartAsync();
        await live.AgentHeartbeatAsync(token, "a1");
        Assert.Equal(0, (await fixture.AdvanceAndSweepAsync(Second)).Due);
        await live.DeleteAsync();
    }

    private async Task<(ISessionGrain Session, string Token, string MachineId)> StartAsync(GuestSpec? guest = null)
    {
        var session = fixture.Session(SessionClusterFixture.NewId());
        var started = await session.StartAsync(new StartSession { Prompt = "echo hi", Guest = guest });
        var machineId = started.Session.MachineId!;
        return (session, await fixture.AgentTokenAsync(machineId), machineId);
    }

    /// <summary>Moves the clock in 10 s steps, the agent heartbeating after each and the reaper sweeping.</summary>
    private async Task BeatThroughAsync(ISessionGrain session, string token, TimeSpan span, string instance = "a1")
    {
        var step = TimeSpan.FromSeconds(10);
        for (var moved = TimeSpan.Zero; moved < span; moved += step)
        {
            await fixture.AdvanceAndSweepAsync(span - moved < step ? span - moved : step);
            var view = (await session.GetAsync())!;
            if (view.Status != SessionStatus.Sleeping) await session.AgentHeartbeatAsync(token, instance);
        }
    }

    private async Task<string> CreateMachineAsync(string sessionId, bool tagged, string? name = null)
    {
        var machine = await fixture.Machines.CreateMachineAsync(SessionClusterFixture.App, new CreateMachineRequest
        {
            Name = name,
            Config = new MachineConfig
            {
                Image = SessionClusterFixture.IdleImage,
                Metadata = tagged ? new Dictionary<string, string> { [SessionMachines.SessionMetadataKey] = sessionId } : [],
                Env = new Dictionary<string, string> { [AgentEnvironment.SessionToken] = "unknown" },
            },
        });
        return machine.Id;
    }

    private async Task<bool> IsLiveAsync(string machineId) =>
        (await fixture.Machines.ListMachinesAsync(SessionClusterFixture.App)).Any(m => m.Id == machineId && MachineStates.IsActive(m.State));

    private async Task WaitForStateAsync(string machineId, string state) =>
        await Eventually.TrueAsync(async () => (await fixture.Machines.GetMachineAsync(SessionClusterFixture.App, machineId)).State == state,
            Deadline, $"machine {machineId} is {state}");

    private static Task<List<SessionEvent>> EventsAsync(ISessionGrain session) => SessionClusterFixture.ReadAllAsync(session, 0);

    private static JsonElement Payload(SessionEvent e) => JsonDocument.Parse(e.Payload).RootElement;
}

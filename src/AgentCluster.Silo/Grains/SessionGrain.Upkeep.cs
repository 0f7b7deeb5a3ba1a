using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Reaping;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The session's deadlines, acted on when the reaper asks (<see cref="ISessionUpkeepGrain"/>): an agent that
/// stopped calling in is reaped, one silent inside its turn is warned and its turn failed, an idle machine is
/// stopped and a sleeping session ends after its retention. Each is announced in the event stream first.
/// </summary>
public sealed partial class SessionGrain
{
    // In memory only, so that a heartbeat costs no storage write. A new activation (after a node loss, say)
    // restarts them with a full grace: a session is never reaped early because its node changed.
    private DateTimeOffset heartbeatDeadline;
    private DateTimeOffset lastAgentEvent;
    private DateTimeOffset? stallWarnedAt;

    /// <summary>What the reaper's schedule holds for this session, as far as this activation knows (null: unknown).</summary>
    private DateTimeOffset? scheduled;

    private bool TurnInProgress => S.DeliveredTurn > S.CompletedTurns;

    private void RestartDeadlines()
    {
        heartbeatDeadline = Now + (S.AgentSeen ? options.Value.HeartbeatTtl : options.Value.BootGrace);
        lastAgentEvent = Now;
        stallWarnedAt = null;
    }

    /// <summary>The agent called (any call): it is alive, and the session is past starting.</summary>
    private void AgentCalledIn()
    {
        S.AgentSeen = true;
        heartbeatDeadline = Now + options.Value.HeartbeatTtl;
        RecordCallIn();
    }

    /// <summary>The agent said something about its turn (or took one): it is not stalled.</summary>
    private void AgentSpoke()
    {
        lastAgentEvent = Now;
        stallWarnedAt = null;
    }

    /// <summary>When the reaper should next look at this session; null when there is nothing left to watch.</summary>
    private DateTimeOffset? NextCheck()
    {
        var settings = options.Value;
        if (Terminated) return S.MachineDestroyPending ? Now + reaperOptions.Value.DestroyRetry : null;
        if (S.SleepingSince is { } asleep) return asleep + settings.RetentionTimeout;
        var next = heartbeatDeadline;
        DateTimeOffset? other =
            TurnInProgress ? (stallWarnedAt is { } warned ? warned + settings.StallGrace : lastAgentEvent + settings.StallTimeout)
            : S.Status == SessionStatus.Idle ? S.IdleSince + (S.IdleTimeout ?? settings.IdleTimeout)
            : null;
        if (BudgetCheckAt() is { } budget && !(other <= budget)) other = budget;
        if (TurnLimitCheckAt() is { } limit && !(other <= limit)) other = limit;
        return other < next ? other : next;
    }

    /// <summary>
    /// Puts the session in the reaper's schedule when its next check moved earlier than what is there. A
    /// deadline that only moves later (every heartbeat) costs nothing: the reaper looks at the old time, and the
    /// session tells it the new one then.
    /// </summary>
    private async Task KeepScheduledAsync()
    {
        if (!Started || NextCheck() is not { } next || scheduled <= next) return;
        await schedule.SetAsync(Id, next);
        scheduled = next;
    }

    Task ISessionUpkeepGrain.CheckAsync() => Exclusively(async () =>
    {
        if (Started) await ApplyDeadlinesAsync();
        scheduled = Started ? NextCheck() : null;
        if (scheduled is { } next) await schedule.SetAsync(Id, next);
        else await schedule.RemoveAsync(Id);
        return true;
    });

    private async Task ApplyDeadlinesAsync()
    {
        var settings = options.Value;
        var now = Now;
        if (Terminated)
        {
            if (!S.MachineDestroyPending) return;
            await DestroyMachineAsync();
            if (!S.MachineDestroyPending) await state.WriteStateAsync();
        }
        else if (S.SleepingSince is null && await EnforceBudgetAsync())
        {
            // The budget is spent: the session ended, and its other deadlines with it.
        }
        else if (S.SleepingSince is { } asleep)
        {
            if (now >= asleep + settings.RetentionTimeout) await TerminateAsync(TerminationReason.Idle, message: null);
        }
        else if (now >= heartbeatDeadline)
        {
            await ExpireAsync();
        }
        else if (TurnInProgress)
        {
            await CheckTurnLimitAsync(now);
            if (TurnInProgress) await CheckStallAsync(now);
        }
        else if (S.Status == SessionStatus.Idle && now >= S.IdleSince + (S.IdleTimeout ?? settings.IdleTimeout))
        {
            await SleepAsync();
        }
    }

    private async Task ExpireAsync()
    {
        var why = S.AgentSeen
            ? $"No heartbeat from the agent for {options.Value.HeartbeatTtl.TotalSeconds:0} s"
            : $"The agent did not call in within the boot grace of {options.Value.BootGrace.TotalSeconds:0} s";
        LogExpired(Id, why, S.MachineId);
        metrics.Expired(S.AgentSeen);
        await CommitAsync([new(EventTypes.SessionWarning, S.Turns,
            EventPayloads.Warning(WarningKinds.ReapPending, $"{why}: its machine is being destroyed.", Now))]);
        await TerminateAsync(TerminationReason.Expired, message: null);
    }

    private async Task CheckStallAsync(DateTimeOffset now)
    {
        var settings = options.Value;
        var turn = S.DeliveredTurn;
        if (stallWarnedAt is null)
        {
            if (now < lastAgentEvent + settings.StallTimeout) return;
            stallWarnedAt = now;
            var failsAt = now + settings.StallGrace;
            LogSilent(Id, turn);
            await CommitAsync([new(EventTypes.SessionWarning, turn, EventPayloads.Warning(WarningKinds.Stalled,
                $"The agent has said nothing in turn {turn} for {settings.StallTimeout.TotalMinutes:0.#} min; the turn fails at {failsAt:O} unless it does.",
                failsAt, turn))]);
        }
        else if (now >= stallWarnedAt + settings.StallGrace)
        {
            stallWarnedAt = null;
            CompleteTurn(turn);
            await CommitAsync([new(EventTypes.TurnCompleted, turn, EventPayloads.TurnCompleted(TurnOutcomes.Failed, exitCode: null,
                reason: $"stalled: no output for {(now - lastAgentEvent).TotalMinutes:0.#} min"))]);
        }
    }

    /// <summary>Idle long enough: the machine is stopped, not destroyed, and the next message starts it again.</summary>
    private async Task SleepAsync()
    {
        LogSleeping(Id, S.IdleSince, S.MachineId);
        await machines.StopAsync(S.MachineId!);
        S.SleepingSince = Now;
        MachineStopped();
        await CommitAsync([], forceWrite: true);
    }

    /// <summary>A message for a sleeping session: its machine starts again, with the boot grace of a new one.</summary>
    private async Task WakeAsync()
    {
        LogWoken(Id, S.MachineId);
        await machines.StartAsync(S.MachineId!);
        S.SleepingSince = null;
        MachineStarted();
        S.AgentSeen = false;
        heartbeatDeadline = Now + options.Value.BootGrace;
    }

    /// <summary>Destroys the session's machine, found by metadata if it was never recorded; on failure the reaper retries.</summary>
    private async Task DestroyMachineAsync()
    {
        string? machineId = S.MachineId;
        try
        {
            machineId ??= (await machines.FindAsync(Id))?.Id;
            if (machineId is not null)
            {
                await machines.DestroyAsync(machineId);
                metrics.MachineDestroyed(S.Region, GuestSize);
            }
            S.MachineDestroyPending = false;
        }
        catch (Exception e) when (e is AgentCluster.Fly.FlyApiException or HttpRequestException or TimeoutException)
        {
            LogDestroyDeferred(e, Id, machineId);
        }
    }

    Task<MachineVerdict> ISessionUpkeepGrain.ReconcileAsync(string machineId, TimeSpan seenFor) => Exclusively(async () =>
    {
        var young = seenFor < reaperOptions.Value.OrphanGrace;
        if (S.MachineId == machineId && !Terminated) return MachineVerdict.Kept;
        if (!Terminated && S.MachineId is null && S.Creating)
        {
            if (young) return MachineVerdict.Spared;
            await AdoptLostMachineAsync(machineId);
            return MachineVerdict.Adopted;
        }
        if (!Started && young) return MachineVerdict.Spared;

        // Its session is over or unknown (a create whose session record never made it), or it is a second one.
        LogDestroyingStray(machineId, Id, S.Status ?? "unknown");
        await machines.DestroyAsync(machineId);
        metrics.MachineDestroyed(S.Region, Started ? GuestSize : "unknown");
        if (machineId == S.MachineId && S.MachineDestroyPending)
        {
            S.MachineDestroyPending = false;
            await state.WriteStateAsync();
        }
        return MachineVerdict.Destroyed;
    });

    /// <summary>
    /// A create that made the machine but whose answer was lost, and nobody asked again: the session takes it
    /// back with a fresh token (only its hash is kept), and its agent boots with it.
    /// </summary>
    private async Task AdoptLostMachineAsync(string machineId)
    {
        var token = SessionTokens.New();
        S.TokenHash = SessionTokens.Hash(token);
        await state.WriteStateAsync();
        var machine = await machines.AdoptAsync(machineId, token);
        S.MachineId = machine.Id;
        S.Region = machine.Region ?? S.Region;
        S.Creating = false;
        MachineStarted();
        heartbeatDeadline = Now + options.Value.BootGrace;
        await state.WriteStateAsync();
        LogReattached(Id, machine.Id);
    }
}

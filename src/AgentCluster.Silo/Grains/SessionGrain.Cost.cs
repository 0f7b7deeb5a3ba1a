using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// What the session's machine costs, and what it may cost. Its running time is counted from when the machine
/// is made or started until it is stopped (asleep) or destroyed, on the session clock; the total is persisted
/// as the spells that ended plus the one under way (<see cref="SessionState.RunningSince"/>), so it survives a
/// move to another node without a write per check. The budget (max_machine_seconds) is checked on the upkeep
/// path the reaper drives, whose schedule includes the moment the budget's next threshold is reached, so a
/// runaway is stopped whether or not its agent still calls in. The node's metrics for the session are kept
/// here too: its status in agentcluster.sessions, its heartbeat gaps and its machine time.
/// </summary>
public sealed partial class SessionGrain
{
    /// <summary>Floating-point slack, so that a check at exactly the computed moment sees the threshold reached.</summary>
    private const double BudgetSlackSeconds = 0.001;

    // In memory only. Up to where this activation has added the machine's running time to agentcluster.machine.time:
    // a graceful deactivation reports the rest, a crash loses at most the time since the last check.
    private DateTimeOffset? meteredUntil;

    // The status this activation counts in agentcluster.sessions (null: none), so that each activation adds
    // exactly what it later takes away, and the sum over nodes is the live sessions per status.
    private string? countedStatus;

    private DateTimeOffset? lastCallIn;

    /// <summary>The session's machine; sessions stored before guests were kept ran the node's default.</summary>
    private GuestSpec GuestOf => S.Guest ?? options.Value.GuestFor(null);

    private string GuestSize => GuestSizes.Name(GuestOf);

    private double MachineSecondsNow => S.MachineSeconds + (S.RunningSince is { } since ? Math.Max(0, (Now - since).TotalSeconds) : 0);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReportMachineTime();
        metrics.StatusMoved(countedStatus, null);
        countedStatus = null;
        return Task.CompletedTask;
    }

    /// <summary>Counts this session under its status now (after every change, and on activation).</summary>
    private void CountStatus()
    {
        var live = Started && !Terminated ? S.Status : null;
        metrics.StatusMoved(countedStatus, live);
        countedStatus = live;
    }

    /// <summary>Called on activation: a machine already running is metered from now on.</summary>
    private void ResumeMetering()
    {
        meteredUntil = S.RunningSince is null ? null : Now;
        CountStatus();
    }

    /// <summary>The agent called in: the gap since its last call goes to agentcluster.agent.heartbeat.interval.</summary>
    private void RecordCallIn()
    {
        var now = Now;
        if (lastCallIn is { } last) metrics.HeartbeatGap(now - last);
        lastCallIn = now;
    }

    /// <summary>The machine was made, adopted or started: its time counts from now (a spell under way goes on).</summary>
    private void MachineStarted()
    {
        S.RunningSince ??= Now;
        meteredUntil ??= Now;
        lastCallIn = null; // a new agent process: the gap across its start says nothing about heartbeats
    }

    /// <summary>The machine was stopped or is being destroyed: the spell ends and is added to the total.</summary>
    private void MachineStopped()
    {
        if (S.RunningSince is not { } since) return;
        ReportMachineTime();
        S.MachineSeconds += Math.Max(0, (Now - since).TotalSeconds);
        S.RunningSince = null;
        meteredUntil = null;
    }

    private void ReportMachineTime()
    {
        if (S.RunningSince is null || meteredUntil is not { } from) return;
        var now = Now;
        metrics.MachineRan(GuestSize, now - from);
        meteredUntil = now;
    }

    /// <summary>When the budget's next threshold (the warning, then the end) is reached if the machine keeps running.</summary>
    private DateTimeOffset? BudgetCheckAt()
    {
        if (Terminated || S.MaxMachineSeconds is not { } max || S.RunningSince is not { } since) return null;
        var threshold = S.BudgetWarned ? max : max * MachineBudget.WarnAt;
        return since + TimeSpan.FromSeconds(Math.Max(0, threshold - S.MachineSeconds));
    }

    /// <summary>Warns once at 80% of the budget and terminates at 100%; true when the session ended.</summary>
    private async Task<bool> EnforceBudgetAsync()
    {
        ReportMachineTime();
        if (Terminated || S.MaxMachineSeconds is not { } max || S.RunningSince is null) return false;
        var used = MachineSecondsNow + BudgetSlackSeconds;
        if (used >= max)
        {
            LogBudgetExceeded(Id, max, S.MachineId);
            await TerminateAsync(TerminationReason.BudgetExceeded, message: null);
            return true;
        }
        if (!S.BudgetWarned && used >= max * MachineBudget.WarnAt)
        {
            S.BudgetWarned = true;
            var left = TimeSpan.FromSeconds(Math.Max(0, max - MachineSecondsNow));
            await CommitAsync([new(EventTypes.SessionWarning, S.Turns, EventPayloads.BudgetWarning(
                $"The machine has run for {MachineSecondsNow:0} of the session's {max} machine-seconds; the session ends when it has run for all of them.",
                Now + left, MachineSecondsNow, max))], forceWrite: true);
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} used its budget of {MaxMachineSeconds} machine-seconds: destroying machine {MachineId}")]
    private partial void LogBudgetExceeded(string sessionId, long maxMachineSeconds, string? machineId);
}

using AgentCluster.Silo.Cost;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// How long the session's machine has run, and its budget (max_machine_seconds). Its running time is counted from
/// when the machine is made or started until it is stopped (asleep) or destroyed; the total is kept in the state as
/// the spells that ended plus the one under way (<see cref="SessionState.RunningSince"/>), so it survives a move to
/// another node without a write per check. A view over the state: nothing of its own to keep.
/// </summary>
public readonly struct MachineTime(SessionState state)
{
    /// <summary>Floating-point slack, so that a check at exactly the computed moment sees the threshold reached.</summary>
    private const double SlackSeconds = 0.001;

    /// <summary>The machine was made, adopted or started: its time counts from now (a spell under way goes on).</summary>
    public void Started(DateTimeOffset now) => state.RunningSince ??= now;

    /// <summary>The machine was stopped or is being destroyed: the spell ends and is added to the total.</summary>
    public void Stopped(DateTimeOffset now)
    {
        if (state.RunningSince is not { } since) return;
        state.MachineSeconds += Math.Max(0, (now - since).TotalSeconds);
        state.RunningSince = null;
    }

    public double SecondsAt(DateTimeOffset now) =>
        state.MachineSeconds + (state.RunningSince is { } since ? Math.Max(0, (now - since).TotalSeconds) : 0);

    /// <summary>When the budget's next threshold (the warning, then the end) is reached if the machine keeps running.</summary>
    public DateTimeOffset? BudgetCheckAt =>
        state.MaxMachineSeconds is not { } max || state.RunningSince is not { } since ? null
        : since + TimeSpan.FromSeconds(Math.Max(0, (state.BudgetWarned ? max : max * MachineBudget.WarnAt) - state.MachineSeconds));

    /// <summary>Guarantee: a machine warns once at 80% of its budget and its session ends at 100%.</summary>
    public BudgetStep Budget(DateTimeOffset now)
    {
        if (state.MaxMachineSeconds is not { } max || state.RunningSince is null) return BudgetStep.None;
        var used = SecondsAt(now) + SlackSeconds;
        if (used >= max) return BudgetStep.End;
        if (state.BudgetWarned || used < max * MachineBudget.WarnAt) return BudgetStep.None;
        state.BudgetWarned = true;
        return BudgetStep.Warn;
    }
}

public enum BudgetStep
{
    None,
    Warn,
    End,
}

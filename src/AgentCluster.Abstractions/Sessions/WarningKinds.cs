namespace AgentCluster.Abstractions.Sessions;

/// <summary>The <c>kind</c> of a <c>session.warning</c> event.</summary>
public static class WarningKinds
{
    /// <summary>The agent is alive but has said nothing inside its turn for too long; the turn fails at <c>at</c>.</summary>
    public const string Stalled = "stalled";

    /// <summary>The agent stopped calling in; its machine is destroyed at <c>at</c>.</summary>
    public const string ReapPending = "reap_pending";

    /// <summary>
    /// The session's machine has run for 80% of its max_machine_seconds; at <c>at</c> (if it keeps running) the
    /// session terminates with reason <c>budget_exceeded</c>. Carries machine_seconds and max_machine_seconds.
    /// </summary>
    public const string Budget = "budget";

    /// <summary>The turn ran for the session's max_turn_seconds and is being interrupted; at <c>at</c> the session ends it unless the agent has.</summary>
    public const string TurnTimeout = "turn_timeout";
    /// <summary>
    /// The session's model calls have cost its max_model_usd: its model gateway refuses further calls (the turn that
    /// asks ends with the gateway's error). Carries model_cost_usd and max_model_usd.
    /// </summary>
    public const string ModelBudget = "model_budget";
}

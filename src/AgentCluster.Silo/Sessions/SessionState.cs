using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// What a session persists in grain storage: small and bounded (the turns not yet done, never the history,
/// which lives in the event log), so writing it costs the same on turn 1 and turn 1000. No secret is here:
/// the agent token only as a hash, the request's env only encrypted.
/// </summary>
[GenerateSerializer, Alias("AgentCluster.SessionState")]
public sealed class SessionState
{
    /// <summary>Null until the session is started.</summary>
    public SessionStatus? Status { get => SessionWireNames.ParseStatus(StatusName); set => StatusName = value?.Name(); }

    public TerminationReason? Reason { get => SessionWireNames.ParseReason(ReasonName); set => ReasonName = value?.Name(); }

    // Stored by their wire names, as they always were: the enums above are how the code sees them.
    [Id(0)] public string? StatusName { get; set; }
    [Id(1)] public string? ReasonName { get; set; }
    [Id(2)] public string? MachineId { get; set; }

    /// <summary>A create was attempted and its outcome is not known yet: look the machine up before creating again.</summary>
    [Id(3)] public bool Creating { get; set; }

    [Id(4)] public string? Region { get; set; }
    [Id(5)] public string? Runtime { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(8)] public string? TokenHash { get; set; }

    /// <summary>Turns submitted so far (the prompt is turn 1).</summary>
    [Id(9)] public int Turns { get; set; }

    /// <summary>The turns are done up to this one, in order.</summary>
    [Id(10)] public int CompletedTurns { get; set; }

    /// <summary>Submitted and not yet done, oldest first.</summary>
    [Id(11)] public List<QueuedTurn> Pending { get; set; } = [];

    /// <summary>The last turn handed to an agent, and which agent process took it.</summary>
    [Id(12)] public int DeliveredTurn { get; set; }
    [Id(13)] public string? DeliveredTo { get; set; }

    /// <summary>The agent has called in at least once.</summary>
    [Id(14)] public bool AgentSeen { get; set; }

    // Id 15 is retired (the heartbeat deadline, now kept in memory only: see AgentLiveness).

    /// <summary>A terminated session whose machine could not be destroyed yet: the reaper retries.</summary>
    [Id(16)] public bool MachineDestroyPending { get; set; }

    [Id(17)] public Dictionary<string, string> Metadata { get; set; } = [];

    /// <summary>When the session last became idle (every turn done): the idle timeout counts from here.</summary>
    [Id(18)] public DateTimeOffset IdleSince { get; set; }

    /// <summary>Set while the machine is stopped for idleness: the retention timeout counts from here.</summary>
    [Id(19)] public DateTimeOffset? SleepingSince { get; set; }

    /// <summary>The API key name that created the session; null in sessions stored before owners existed.</summary>
    [Id(20)] public string? Owner { get; set; }

    /// <summary>The runtime's settings, handed to the agent at start (and again to a restarted agent).</summary>
    [Id(21)] public AgentSettings? Agent { get; set; }

    /// <summary>The session's own model key, encrypted (ASP.NET Core Data Protection); null: the node's key.</summary>
    [Id(22)] public string? ProtectedApiKey { get; set; }

    [Id(23)] public string? Preset { get; set; }

    /// <summary>The name of the session's persistent workspace, if it has one.</summary>
    [Id(24)] public string? Workspace { get; set; }

    /// <summary>This session's idle timeout (from its preset); null: Sessions:IdleTimeout.</summary>
    [Id(25)] public TimeSpan? IdleTimeout { get; set; }

    /// <summary>The client asked this turn to stop: the agent's interrupt watch for it answers at once.</summary>
    [Id(26)] public int InterruptedTurn { get; set; }

    /// <summary>The workspace's Fly volume, mounted at /workspace (see Workspaces/SessionWorkspaces.cs).</summary>
    [Id(27)] public string? WorkspaceVolumeId { get; set; }

    /// <summary>Machine-seconds of the running spells that ended (see <see cref="MachineTime"/>); the current one is <see cref="RunningSince"/>.</summary>
    [Id(28)] public double MachineSeconds { get; set; }

    /// <summary>Set while the machine runs (created or started, not yet stopped or destroyed): its time counts from here.</summary>
    [Id(29)] public DateTimeOffset? RunningSince { get; set; }

    /// <summary>The machine's size as made (cpu_kind, cpus, memory_mb), for its cost and metrics.</summary>
    [Id(30)] public GuestSpec? Guest { get; set; }

    /// <summary>The session's budget of machine-seconds; null: none.</summary>
    [Id(31)] public long? MaxMachineSeconds { get; set; }

    /// <summary>The 80% budget warning is in the log: it is said once.</summary>
    [Id(32)] public bool BudgetWarned { get; set; }

    // Ids 60-64: where the machine comes from (issue 17: several apps, the create queue, the pool).

    /// <summary>The Fly app of the session's machine; null in sessions stored before several apps (the first app).</summary>
    [Id(60)] public string? App { get; set; }

    /// <summary>The machine's image, kept for a create that waits its turn (null: Sessions:AgentImage).</summary>
    [Id(61)] public string? Image { get; set; }

    /// <summary>The request's env, encrypted (SessionSecrets): kept for the session's life, for a create that waits its turn and a restart's new machine.</summary>
    [Id(62)] public string? ProtectedEnv { get; set; }

    /// <summary>Since when the session waits for Fly's create budget (no machine yet); null when it does not.</summary>
    [Id(63)] public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>The pool whose ready machine the session claimed; null when its machine was made for it.</summary>
    [Id(64)] public string? Pool { get; set; }

    // Ids 65-69: reaching into the machine (issue 18: exec, files, restart).

    /// <summary>The control key its agent was handed at its last setup (AgentSetup.ControlKey), encrypted (SessionSecrets).</summary>
    [Id(65)] public string? ProtectedControlKey { get; set; }

    /// <summary>The machine's private IP address, where its agent's control server listens.</summary>
    [Id(66)] public string? MachineAddress { get; set; }

    /// <summary>The machine a restart replaced: destroyed by the restart, or by reconciliation should that destroy fail; never adopted back.</summary>
    [Id(67)] public string? RetiredMachineId { get; set; }

    /// <summary>A client reaches into the machine (exec, files) until then: it does not sleep before, and its idle time counts from then.</summary>
    [Id(68)] public DateTimeOffset? ReachedUntil { get; set; }

    // Ids 40-44: the model gateway (Session.ModelUsed); 50-54: one-shot tasks, results and the turn limit.

    /// <summary><see cref="SessionModes"/>; null in sessions stored before modes existed (<c>session</c>).</summary>
    [Id(50)] public string? Mode { get; set; }

    /// <summary>The wall-clock limit of each turn (see <see cref="TurnTimeLimit"/>); null: none.</summary>
    [Id(51)] public long? MaxTurnSeconds { get; set; }

    /// <summary>When the agent took the turn it runs (<see cref="DeliveredTurn"/>): its time limit counts from here.</summary>
    [Id(52)] public DateTimeOffset? TurnStartedAt { get; set; }

    /// <summary>When the time limit interrupted the running turn, if it has: its grace counts from here.</summary>
    [Id(53)] public DateTimeOffset? TurnTimedOutAt { get; set; }

    /// <summary>The last finished turn, the refused tool calls, and the running turn's text so far.</summary>
    [Id(54)] public TurnResults Results { get; set; } = new();
    /// <summary>The hash of the model token the agent was last handed at setup: what the model gateway accepts.</summary>
    [Id(40)] public string? ModelTokenHash { get; set; }

    /// <summary>What the session's model calls used, and cost by the price table; null before the first.</summary>
    [Id(41)] public TokenUsage? ModelUsage { get; set; }
    [Id(42)] public decimal ModelCostUsd { get; set; }

    /// <summary>The session's model budget in US dollars; null: none.</summary>
    [Id(43)] public decimal? MaxModelUsd { get; set; }

    /// <summary>The model budget's warning is in the log: it is said once.</summary>
    [Id(44)] public bool ModelBudgetWarned { get; set; }
}

/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the request that queued the turn, handed to the agent with it (see
/// <see cref="AgentTurn.TraceParent"/>); null in turns stored before tracing, or when nothing was traced.
/// </param>
[GenerateSerializer, Immutable, Alias("AgentCluster.QueuedTurn")]
public sealed record QueuedTurn([property: Id(0)] int Turn, [property: Id(1)] string Content, [property: Id(2)] string? TraceParent = null);

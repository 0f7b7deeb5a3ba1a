namespace AgentCluster.Abstractions.Sessions;

/// <summary>The wire names of a session's status and terminal reasons.</summary>
public static class SessionStatus
{
    /// <summary>The machine is being created or is booting; the agent has not called in yet.</summary>
    public const string Starting = "starting";

    /// <summary>A turn is in progress (or queued for the agent).</summary>
    public const string Running = "running";

    /// <summary>Every turn is done; the agent waits for a message.</summary>
    public const string Idle = "idle";

    /// <summary>Idle for long enough that its machine was stopped (not destroyed); the next message starts it again.</summary>
    public const string Sleeping = "sleeping";

    /// <summary>Over for good: see the reason. The machine is destroyed.</summary>
    public const string Terminated = "terminated";
}

public static class TerminationReason
{
    public const string Completed = "completed";
    public const string Failed = "failed";

    /// <summary>The agent stopped calling in (no heartbeat within the TTL): its machine was reaped.</summary>
    public const string Expired = "expired";

    /// <summary>Asleep for longer than the retention timeout: nobody came back for it.</summary>
    public const string Idle = "idle";

    public const string Deleted = "deleted";

    /// <summary>Its machine ran for the session's max_machine_seconds: stopped as a runaway, its machine destroyed.</summary>
    public const string BudgetExceeded = "budget_exceeded";
}

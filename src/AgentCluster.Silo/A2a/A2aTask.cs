namespace AgentCluster.Silo.A2a;

/// <summary>
/// An A2A task as this node knows it: one turn of a session (the task's context). What it says is the same in both
/// protocol versions; <see cref="A2aWire"/> writes it in the version a request used.
/// </summary>
/// <param name="Result">The turn's answer so far (its one artifact), or null while it has said nothing.</param>
public sealed record A2aTask(string Id, string ContextId, A2aStatus Status, string? Result);

/// <summary>A task's state, and when it got there (the session event that said so).</summary>
/// <param name="Message">The agent's word on it: the answer of a finished turn, or why it failed.</param>
public sealed record A2aStatus(A2aTaskState State, DateTimeOffset At, string? Message = null)
{
    public bool Terminal => State is A2aTaskState.Completed or A2aTaskState.Canceled or A2aTaskState.Failed;
}

/// <summary>The states a turn passes through; A2A's others (input-required, rejected, auth-required) never happen to a turn.</summary>
public enum A2aTaskState
{
    /// <summary>The message is queued as the session's next turn.</summary>
    Submitted,

    /// <summary>The agent has started on the turn.</summary>
    Working,

    /// <summary>The turn finished (outcome success, or max_turns: the agent answered what it could).</summary>
    Completed,

    /// <summary>The turn was interrupted (CancelTask, or the session's own interrupt).</summary>
    Canceled,

    /// <summary>The turn ended in error or by timeout, or the session ended before it did.</summary>
    Failed,
}

using AgentCluster.Silo.Storage;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// One thing the session decided to do (<see cref="Session"/>), carried out by its grain in order: the state is
/// saved before anything that depends on it, a machine is destroyed before the event that says so is logged.
/// </summary>
public abstract record SessionStep
{
    private SessionStep() { }

    /// <summary>Write the session's state.</summary>
    public sealed record Save : SessionStep;

    /// <summary>Append the events to the log (with the agent's cursor, for a push), then show them to the watchers.</summary>
    public sealed record Append(IReadOnlyList<NewEvent> Events, AgentCursor? Agent = null) : SessionStep;

    /// <summary>Wake the agent's long polls: a turn was queued, a turn interrupted, or the session ended.</summary>
    public sealed record WakeAgent : SessionStep;

    /// <summary>Destroy the session's machine (null: the one tagged with the session, if any); its outcome goes back to the session.</summary>
    public sealed record DestroyMachine(string? MachineId) : SessionStep;

    /// <summary>Put the idle session's machine to sleep (suspended, or stopped where Fly cannot suspend it); then the session is asleep.</summary>
    public sealed record SleepMachine(string MachineId) : SessionStep;

    /// <summary>Ask again for a machine: from the pool, or a create when the budget allows (the session waits its turn).</summary>
    public sealed record RequestMachine : SessionStep;

    /// <summary>Give the session's workspace back (and delete it when it was the session's own).</summary>
    public sealed record ReleaseWorkspace(string Owner, string Name) : SessionStep;
}

/// <summary>What a command decided: the steps in order, and what it answers its caller.</summary>
public sealed class SessionChange
{
    public static SessionChange None => new();

    public List<SessionStep> Steps { get; } = [];

    internal SessionChange Then(SessionStep step)
    {
        if (step is SessionStep.Save && Steps.Count > 0 && Steps[^1] is SessionStep.Save) return this; // once is enough
        Steps.Add(step);
        return this;
    }
}

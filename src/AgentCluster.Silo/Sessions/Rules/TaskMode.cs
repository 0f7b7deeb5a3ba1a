using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// A session's <c>mode</c> (<see cref="SessionModes"/>) and when a one-shot task is over: once every turn
/// submitted so far is done, the last one's outcome decides how it ended. Success is <c>completed</c>; anything
/// else (an error, an interrupt, a timeout, max_turns, a stall) is <c>failed</c>, since the task did not do what
/// it was asked to.
/// </summary>
public static class TaskMode
{
    public const string Field = "mode";

    /// <summary>A 400 naming <c>mode</c> for anything but <c>session</c> or <c>task</c>.</summary>
    public static void Validate(string? mode)
    {
        if (mode is not null && !SessionModes.All.Contains(mode))
            throw SessionException.Invalid(Field, $"mode must be one of: {string.Join(", ", SessionModes.All)} (got '{mode}').");
    }

    /// <summary>A task with every turn submitted so far done: it is over.</summary>
    public static bool IsDone(string? mode, int completedTurns, int turns) => mode == SessionModes.Task && completedTurns >= 1 && completedTurns >= turns;

    /// <param name="lastOutcome">The outcome of the last turn that finished.</param>
    /// <returns>The session's termination reason now, or null while it goes on.</returns>
    public static TerminationReason? EndReason(string? mode, int completedTurns, int turns, string? lastOutcome) =>
        !IsDone(mode, completedTurns, turns) ? null
        : lastOutcome == TurnOutcomes.Success ? TerminationReason.Completed
        : TerminationReason.Failed;
}

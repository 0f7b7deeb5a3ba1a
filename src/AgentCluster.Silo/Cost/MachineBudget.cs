using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Cost;

/// <summary>
/// A session's budget of machine-seconds (max_machine_seconds): the runaway stop. At <see cref="WarnAt"/> of it
/// the session warns once (<c>session.warning</c> {kind: budget}); when its machine has run for all of it, the
/// session terminates with reason <c>budget_exceeded</c>. Only running time counts: a sleeping session's
/// machine is stopped and spends nothing.
/// </summary>
public static class MachineBudget
{
    public const string Field = "max_machine_seconds";

    /// <summary>30 days of a machine running: past that a budget stops nothing a retention timeout would not.</summary>
    public const long MaxSeconds = 30L * 24 * 60 * 60;

    public const double WarnAt = 0.8;

    /// <summary>The problem with a budget, naming <paramref name="setting"/>; null when it is fine.</summary>
    public static string? Problem(long? seconds, string setting = Field) =>
        seconds is null or (>= 1 and <= MaxSeconds)
            ? null
            : $"{setting} must be a whole number of seconds from 1 to {MaxSeconds} (30 days); got {seconds}.";

    /// <summary>A 400 naming max_machine_seconds for a budget out of range.</summary>
    public static void Validate(long? seconds)
    {
        if (Problem(seconds) is { } problem) throw SessionException.Invalid(Field, problem);
    }
}

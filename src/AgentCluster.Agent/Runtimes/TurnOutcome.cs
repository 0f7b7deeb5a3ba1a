using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent.Runtimes;

/// <summary>How a turn ended: the payload of its turn.completed event.</summary>
/// <param name="Outcome"><c>success</c>, <c>error</c> or <c>interrupted</c>.</param>
/// <param name="ExitCode">The process's exit code, for runtimes that run one.</param>
internal sealed record TurnOutcome(string Outcome, int? ExitCode = null)
{
    public static TurnOutcome Success(int? exitCode = null) => new(TurnOutcomes.Success, exitCode);
    public static TurnOutcome Error(int? exitCode = null) => new(TurnOutcomes.Error, exitCode);
    public static TurnOutcome Interrupted(int? exitCode = null) => new(TurnOutcomes.Interrupted, exitCode);

    /// <summary>The Unix convention: zero is success, anything else an error.</summary>
    public static TurnOutcome FromExitCode(int exitCode) => exitCode == 0 ? Success(exitCode) : Error(exitCode);
}

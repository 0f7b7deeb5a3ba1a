using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent.Runtimes;

/// <summary>How a turn ended: the payload of its turn.completed event.</summary>
/// <param name="Outcome">One of <see cref="TurnOutcomes"/>: <c>success</c>, <c>error</c>, <c>interrupted</c> or <c>max_turns</c>.</param>
/// <param name="ExitCode">The process's exit code, for runtimes that run one per turn (shell).</param>
/// <param name="Reason">Why it ended so, when not plain success (a model's error message, a stop reason).</param>
/// <param name="NumTurns">Model round trips the turn took (model runtimes).</param>
/// <param name="Usage">Tokens the turn used (model runtimes).</param>
/// <param name="CostUsd">What the turn cost, as the runtime estimates it (model runtimes).</param>
/// <param name="DeniedTools">Tool calls the session's permissions refused in the turn (model runtimes), when there were any.</param>
internal sealed record TurnOutcome(
    string Outcome, int? ExitCode = null, string? Reason = null, int? NumTurns = null, TokenUsage? Usage = null, decimal? CostUsd = null,
    int? DeniedTools = null)
{
    public static TurnOutcome Success(int? exitCode = null) => new(TurnOutcomes.Success, exitCode);
    public static TurnOutcome Error(int? exitCode = null) => new(TurnOutcomes.Error, exitCode);
    public static TurnOutcome Interrupted(int? exitCode = null) => new(TurnOutcomes.Interrupted, exitCode);

    /// <summary>The Unix convention: zero is success, anything else an error.</summary>
    public static TurnOutcome FromExitCode(int exitCode) => exitCode == 0 ? Success(exitCode) : Error(exitCode);

    /// <summary>The turn.completed payload.</summary>
    public string ToPayload() => ExitCode is not null || (NumTurns is null && Usage is null && CostUsd is null && DeniedTools is null)
        ? EventPayloads.TurnCompleted(Outcome, ExitCode, Reason)
        : EventPayloads.TurnCompleted(Outcome, Reason, NumTurns, Usage, CostUsd, DeniedTools);
}

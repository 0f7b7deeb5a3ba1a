using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The running turn's wall-clock limit (max_turn_seconds, decided by <see cref="TurnTimeLimit"/>): its clock
/// starts when the agent takes the turn and is kept in the state, so a move to another node does not restart it.
/// The reaper's schedule holds its moments, so it holds whether or not the agent still speaks. Past it the turn
/// is interrupted through the client's channel (<see cref="SessionState.InterruptedTurn"/>, which the agent's
/// watch on its turn answers at once), and the agent's end of it reads <c>timeout</c>.
/// </summary>
public sealed partial class SessionGrain
{
    /// <summary>The agent took the next turn: its clock starts now.</summary>
    private void TurnTaken()
    {
        S.TurnStartedAt = Now;
        S.TurnTimedOutAt = null;
    }

    private DateTimeOffset? TurnLimitCheckAt() =>
        TurnInProgress ? TurnTimeLimit.CheckAt(S.MaxTurnSeconds, S.TurnStartedAt, S.TurnTimedOutAt, options.Value.TurnTimeoutGrace) : null;

    /// <summary>The end of a turn as its agent reported it, or as the session reports a dead agent's: <c>timeout</c> once the limit interrupted it.</summary>
    private string EndingOf(int turn, string payload) =>
        turn == S.DeliveredTurn && S.TurnTimedOutAt is not null && S.MaxTurnSeconds is { } max ? TurnTimeLimit.Relabel(payload, max) : payload;

    private async Task CheckTurnLimitAsync(DateTimeOffset now)
    {
        var turn = S.DeliveredTurn;
        var max = S.MaxTurnSeconds.GetValueOrDefault();
        switch (TurnTimeLimit.Due(S.MaxTurnSeconds, S.TurnStartedAt, S.TurnTimedOutAt, options.Value.TurnTimeoutGrace, now))
        {
            case TurnLimitStep.Interrupt:
                S.TurnTimedOutAt = now;
                S.InterruptedTurn = turn;
                LogTurnTimedOut(Id, turn, max);
                await CommitAsync([new(EventTypes.SessionWarning, turn, EventPayloads.Warning(WarningKinds.TurnTimeout,
                    $"Turn {turn} ran for its {max} s (max_turn_seconds): it is being interrupted, and ends at the latest at {now + options.Value.TurnTimeoutGrace:O}.",
                    now + options.Value.TurnTimeoutGrace, turn))], forceWrite: true);
                Signal(); // the agent's watch on its turn answers now
                break;
            case TurnLimitStep.End:
                CompleteTurn(turn);
                await CommitAsync([new(EventTypes.TurnCompleted, turn, EventPayloads.TurnCompleted(TurnOutcomes.Timeout, exitCode: null,
                    reason: $"{TurnTimeLimit.Reason(max)}, and the agent did not stop it within {options.Value.TurnTimeoutGrace.TotalSeconds:0} s of the interrupt"))]);
                break;
        }
    }

    [LoggerMessage(1020, LogLevel.Information, "Session {SessionId}: turn {Turn} ran for its {MaxTurnSeconds} s; interrupting it")]
    private partial void LogTurnTimedOut(string sessionId, int turn, long maxTurnSeconds);
}

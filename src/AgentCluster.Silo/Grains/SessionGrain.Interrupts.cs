using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// Interrupting the current turn. The agent holds a watch on the turn it runs (as it holds the next-turn poll
/// between turns), so the interrupt reaches its runtime within one round trip; the agent then reports the
/// turn as interrupted, and the session goes on with the next one.
/// </summary>
public sealed partial class SessionGrain
{
    Task<int> ISessionGrain.InterruptAsync() => Exclusively(InterruptAsync);

    private async Task<int> InterruptAsync()
    {
        EnsureOpen();
        var current = S.Pending.FirstOrDefault()
            ?? throw new SessionException(SessionErrorKind.Conflict, $"Session '{Id}' has no turn running or queued: there is nothing to interrupt.");
        if (S.DeliveredTurn >= current.Turn)
        {
            S.InterruptedTurn = current.Turn;
            await state.WriteStateAsync();
            Signal();
            LogInterrupted(Id, current.Turn);
        }
        else
        {
            // Not taken by the agent yet: it ends here and never runs.
            CompleteTurn(current.Turn);
            await CommitAsync(
                [new(EventTypes.TurnCompleted, current.Turn, EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, exitCode: null, "interrupted before it started"))],
                forceWrite: true);
        }
        return current.Turn;
    }

    async Task<AgentInterrupt?> ISessionGrain.AgentWatchTurnAsync(string token, int turn, TimeSpan wait, CancellationToken cancellationToken)
    {
        AuthorizeAgent(token);
        var until = PollDeadline(wait);
        while (true)
        {
            var changed = turnQueued.Task;
            EnsureOpen();
            if (S.InterruptedTurn >= turn) return new AgentInterrupt(turn);
            if (!await WaitForChangeAsync(changed, until, cancellationToken)) return null;
        }
    }
}

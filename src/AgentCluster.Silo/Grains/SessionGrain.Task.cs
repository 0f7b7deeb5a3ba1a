using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// What a session tells about its finished turns (<see cref="TurnResults"/>, kept as each event is committed),
/// and the end of a one-shot task (<see cref="TaskMode"/>): once its turns are done it terminates, and its
/// machine is destroyed at once, not after the idle and retention timeouts. A named workspace outlives it as any.
/// </summary>
public sealed partial class SessionGrain
{
    private void Observe(IReadOnlyList<NewEvent> events)
    {
        var shell = !AgentRuntimes.CallsModel(S.Runtime);
        foreach (var e in events) S.Results.Observe(e.Type, e.Turn, e.Payload, e.At ?? Now, shell);
    }

    /// <summary>Its turns are done and it terminates in a moment (<see cref="EndTaskIfDoneAsync"/>): it does not go idle in between.</summary>
    private bool TaskDone => !Terminated && TaskMode.IsDone(S.Mode, S.CompletedTurns, S.Turns);

    /// <summary>A task whose turns are all done ends here: <c>completed</c> when its last turn succeeded, else <c>failed</c>.</summary>
    private async Task EndTaskIfDoneAsync()
    {
        if (Terminated || TaskMode.EndReason(S.Mode, S.CompletedTurns, S.Turns, S.Results.Last?.Outcome) is not { } reason) return;
        LogTaskDone(Id, S.CompletedTurns, reason);
        await TerminateAsync(reason, message: null);
    }

    [LoggerMessage(1021, LogLevel.Information, "Session {SessionId}: task done after {Turns} turn(s): {Reason}")]
    private partial void LogTaskDone(string sessionId, int turns, string reason);
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Sessions.Turns;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// Waits for one turn of a session to finish, on the session's event log (no polling): the answer of MCP's
/// <c>wait_for_turn</c>. The session's view holds its last finished turn's result, so that turn is answered at once, and
/// a turn still to finish needs only the log from now on: its <c>turn.completed</c> (or the session's end) is after the
/// view's last event, and its result text is then the view's again. Only an older finished turn is read from the start of
/// the log (a long session's log is long: that is the rare case of asking for a turn the session is well past).
/// </summary>
public sealed class TurnWaiter(IGrainFactory grains, SessionTurns turns, TimeProvider time)
{
    public const int DefaultWaitSeconds = 60;
    public const int MaxWaitSeconds = 600;

    public async Task<TurnAnswer> WaitAsync(string sessionId, string owner, int? turn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The owner is checked here, before the watch: the watch runs in an iterator, where SessionCaller does not reach.
        var (grain, view) = await grains.OwnedAsync(sessionId, owner);
        var number = turn ?? view.Turns;
        if (number < 1 || number > view.Turns)
            throw SessionException.Invalid("turn", view.Turns == 0
                ? $"Session '{sessionId}' has no turn yet."
                : $"Session '{sessionId}' has turns 1 to {view.Turns}; there is no turn {number}.");
        if (view.Result is { } last && last.Turn == number) return Finished(view, last);

        var older = view.Result is { } result && number < result.Turn;
        if (!older && view.Status == SessionStatus.Terminated) return Ended(view, number, view.Reason?.Name());

        var reader = new TurnReader(number, view.Runtime == AgentRuntimes.Shell);
        // An older turn is in the stored log, read to its end whatever the timeout: there is nothing to wait for.
        using var deadline = older ? new CancellationTokenSource() : new CancellationTokenSource(timeout, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await turns.ReadAsync(new OpenedTurn(sessionId, grain, number, older ? 0 : view.LastEventId, view.Runtime, view.Preset), reader, waiting.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Waited long enough: the turn is still running, which is an answer too.
        }

        var now = await grain.GetAsync() ?? view;
        if (!reader.Ended) return new TurnAnswer(sessionId, number, false, null, null, null, now.Status.Name());
        if (reader.SessionEnded) return Ended(now, number, reader.Reason);
        // The view's result is the turn's final text, as for a turn answered at once; unless a later turn finished meanwhile.
        return now.Result is { } finished && finished.Turn == number
            ? Finished(now, finished)
            : new TurnAnswer(sessionId, number, true, reader.Outcome, reader.Text is { Length: > 0 } text ? text : null, reader.Reason, now.Status.Name());
    }

    private static TurnAnswer Finished(SessionView view, TurnResult result) =>
        new(view.SessionId, result.Turn, true, result.Outcome, result.Text, result.Reason, view.Status.Name());

    private static TurnAnswer Ended(SessionView view, int turn, string? reason) =>
        new(view.SessionId, turn, false, null, null, $"The session ended before turn {turn} finished ({reason ?? "unknown"}).", view.Status.Name());
}

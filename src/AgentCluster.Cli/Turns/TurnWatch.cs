using AgentCluster.Abstractions.Sessions;
using AgentCluster.Cli.Output;
using AgentCluster.Client;

namespace AgentCluster.Cli.Turns;

/// <summary>
/// Follows one turn of a session live (<c>run</c>, <c>send</c>) until it completes, and exits with its outcome
/// (<see cref="ExitCodes.ForTurn"/>). A spinner shows while the machine starts. The first Ctrl-C asks the node to
/// interrupt the turn and goes on showing it to its end (outcome interrupted); a second one detaches, leaving the
/// session and its turn running, and says how to re-attach.
/// </summary>
internal sealed class TurnWatch(CliContext cli, string sessionId)
{
    /// <summary>How long an interrupt may take to be accepted before the CLI gives up on it (and says so).</summary>
    private static readonly TimeSpan InterruptDeadline = TimeSpan.FromSeconds(15);

    private readonly EventRenderer renderer = new(cli.Screen);
    private readonly CancellationTokenSource detach = new();
    private int presses;
    private long lastSeq;
    private Task interrupting = Task.CompletedTask;

    /// <param name="after">The last event already seen: the turn's events come after it.</param>
    /// <param name="turn">The turn to wait for.</param>
    public async Task<int> FollowAsync(long after, int turn)
    {
        lastSeq = after;
        using var _ = cli.CtrlC.Take(OnCtrlC);
        await using var events = cli.Client.StreamEventsAsync(sessionId, after, detach.Token).GetAsyncEnumerator(detach.Token);
        SessionEvent? completed = null;
        try
        {
            // The spinner until the agent is at work (or the turn is over): then the events themselves show progress.
            var started = false;
            async Task StartingAsync(Action<string> status)
            {
                while (!started && completed is null && await events.MoveNextAsync())
                {
                    completed = Show(events.Current, turn);
                    started = IsAtWork(events.Current);
                    status(renderer.Status);
                }
            }
            // No spinner in JSON lines, not even on a terminal.
            await (cli.Json ? StartingAsync(_ => { }) : cli.Screen.SpinAsync($"Starting session {sessionId}…", StartingAsync));
            while (completed is null && await events.MoveNextAsync()) completed = Show(events.Current, turn);
        }
        catch (OperationCanceledException) when (detach.IsCancellationRequested)
        {
            // The first Ctrl-C asked for an interrupt: it is still wanted, and is seen through before leaving.
            await interrupting;
            if (!cli.Json) renderer.Finish();
            cli.Note($"Detached from {sessionId}; the session goes on. Re-attach with: agentcluster logs -f {sessionId} --after {lastSeq}");
            return ExitCodes.CtrlC;
        }
        if (!cli.Json) renderer.Finish();
        if (completed is null)
        {
            cli.Note($"The session {sessionId} ended before turn {turn} completed.");
            return ExitCodes.SessionEnded;
        }
        return ExitCodes.ForTurn(completed.Payload);
    }

    /// <returns>The event when it completes the awaited turn.</returns>
    private SessionEvent? Show(SessionEvent e, int turn)
    {
        lastSeq = e.Seq;
        if (cli.Json) cli.JsonOut.Event(sessionId, e);
        else renderer.Render(e);
        return e.Type == EventTypes.TurnCompleted && e.Turn >= turn ? e : null;
    }

    private static bool IsAtWork(SessionEvent e) => e.Type switch
    {
        EventTypes.UserMessage => false,
        EventTypes.SessionStatus => Payload.Parse(e.Payload).String("status") is not "starting",
        _ => true,
    };

    private void OnCtrlC()
    {
        if (Interlocked.Increment(ref presses) == 1)
        {
            cli.Note($"Interrupting the turn of {sessionId}… (Ctrl-C again to detach and leave it running)");
            interrupting = InterruptAsync();
        }
        else
        {
            detach.Cancel();
        }
    }

    private async Task InterruptAsync()
    {
        using var timeout = new CancellationTokenSource(InterruptDeadline);
        try
        {
            await cli.Client.InterruptAsync(sessionId, timeout.Token);
        }
        catch (AgentClusterException e)
        {
            cli.Note($"interrupt: {Problems.OneLine(e.Message)}");
        }
        catch (HttpRequestException e)
        {
            cli.Note($"interrupt: {Problems.OneLine(e.Message)}");
        }
        catch (OperationCanceledException)
        {
            cli.Note($"interrupt: the node did not answer within {InterruptDeadline.TotalSeconds:0} s");
        }
    }
}

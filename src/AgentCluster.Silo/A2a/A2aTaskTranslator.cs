using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions.Turns;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// One turn of a session read as an A2A task: each event of the session's log in, the task's stream events out. The
/// task is <c>submitted</c> until the agent does anything on its turn, then <c>working</c>; each piece of the turn's
/// answer (<see cref="TurnReader"/>: model text, or a shell's output lines; never the agent's tool calls) is a piece of
/// its one artifact; the turn's end is its final status: <c>completed</c> (success, max_turns), <c>canceled</c>
/// (interrupted) or <c>failed</c> (error, timeout, or the session ending first). Each status is stamped with the time
/// of the event that caused it. No I/O: the adapter feeds it, from a turn's start or from the log's beginning.
/// </summary>
public sealed class A2aTaskTranslator(string contextId, TurnReader turn, DateTimeOffset submittedAt)
{
    public const string ArtifactId = "result";

    private bool answered;

    public string TaskId { get; } = TaskIds.Of(contextId, turn.Turn);

    public int Turn => turn.Turn;

    public A2aStatus Status { get; private set; } = new(A2aTaskState.Submitted, submittedAt);

    /// <summary>The turn has ended: no more events come.</summary>
    public bool Ended => turn.Ended;

    /// <summary>The task as it is now.</summary>
    public A2aTask Snapshot() => new(TaskId, contextId, Status, turn.Text is { Length: > 0 } text ? text : null);

    /// <summary>What <paramref name="e"/> changes about the task, as stream events (none for most events).</summary>
    public IReadOnlyList<A2aEvent> Observe(SessionEvent e)
    {
        if (turn.Ended) return [];
        var added = turn.Observe(e);
        List<A2aEvent> events = [];
        if (e.Turn == turn.Turn && Status.State == A2aTaskState.Submitted)
        {
            if (e.Type == EventTypes.UserMessage) Status = Status with { At = e.At }; // when it was queued, for a task read later
            else if (!turn.Ended) events.Add(Changed(new A2aStatus(A2aTaskState.Working, e.At), final: false));
        }
        if (added is not null)
        {
            events.Add(new A2aArtifactUpdate(TaskId, contextId, added, Append: answered, LastChunk: false));
            answered = true;
        }
        if (turn.Ended)
        {
            if (answered) events.Add(new A2aArtifactUpdate(TaskId, contextId, "", Append: true, LastChunk: true));
            events.Add(Changed(Final(e.At), final: true));
        }
        return events;
    }

    private A2aStatusUpdate Changed(A2aStatus status, bool final)
    {
        Status = status;
        return new A2aStatusUpdate(TaskId, contextId, status, final);
    }

    private A2aStatus Final(DateTimeOffset at)
    {
        var answer = turn.Text is { Length: > 0 } text ? text : null;
        if (turn.SessionEnded)
            return new(A2aTaskState.Failed, at, $"The session ended (reason '{turn.Reason}') before turn {turn.Turn} did.");
        return turn.Outcome switch
        {
            TurnOutcomes.Success or TurnOutcomes.MaxTurns => new(A2aTaskState.Completed, at, answer),
            TurnOutcomes.Interrupted => new(A2aTaskState.Canceled, at, answer),
            _ => new(A2aTaskState.Failed, at,
                $"The agent's turn {turn.Turn} ended with outcome '{turn.Outcome}'{(turn.Reason is { } why ? $": {why}" : "")}."),
        };
    }
}

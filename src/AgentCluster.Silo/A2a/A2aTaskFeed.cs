using System.Runtime.CompilerServices;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// A task being read from its session's log: the watch (<see cref="ISessionGrain.WatchAsync"/>) and the
/// <see cref="A2aTaskTranslator"/> it feeds. A blocking send reads to the turn's end, a <c>GetTask</c> to the log's end
/// as of its request, a stream follows it live; disposing it ends the watch.
/// </summary>
public sealed class A2aTaskFeed(ISessionGrain grain, IAsyncEnumerator<SessionEvent> events, A2aTaskTranslator task) : IAsyncDisposable
{
    public ISessionGrain Grain => grain;

    public A2aTaskTranslator Task => task;

    /// <summary>Whether every turn before the task's has ended (seen while reading from the log's beginning): the task is the session's current one.</summary>
    public bool Current { get; private set; } = task.Turn == 1;

    /// <summary>Reads until the turn ends, or the watch does.</summary>
    public async Task FinishAsync()
    {
        while (!task.Ended && await events.MoveNextAsync()) Observe(events.Current);
    }

    /// <summary>Reads the log up to event <paramref name="lastEventId"/> (the session's last as of the request), or the turn's end.</summary>
    public async Task CatchUpAsync(long lastEventId)
    {
        var seq = 0L;
        while (!task.Ended && seq < lastEventId && await events.MoveNextAsync())
        {
            seq = events.Current.Seq;
            Observe(events.Current);
        }
    }

    /// <summary>The task as it is now, then its changes as they come, until its final status.</summary>
    public async IAsyncEnumerable<A2aEvent> FollowAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new A2aTaskEvent(task.Snapshot());
        while (!task.Ended && !cancellationToken.IsCancellationRequested && await events.MoveNextAsync())
            foreach (var changed in Observe(events.Current))
                yield return changed;
    }

    private IReadOnlyList<A2aEvent> Observe(SessionEvent e)
    {
        if (e.Type == EventTypes.TurnCompleted && e.Turn == task.Turn - 1) Current = true; // turns run, and end, in order
        return task.Observe(e);
    }

    public ValueTask DisposeAsync() => events.DisposeAsync();
}

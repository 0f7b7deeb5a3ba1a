using System.Runtime.CompilerServices;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using Orleans.Runtime;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// A session's events as a reader on this node sees them, through whichever node holds the grain. The grain may move
/// or its node die mid-watch: the log is durable, so the watch resumes after the last event it gave out, and its
/// reader never notices. Each reader that follows a session live (the event stream, the protocol adapters) reads
/// through this.
/// </summary>
public sealed partial class SessionLogWatch(TimeProvider time, ILogger<SessionLogWatch> logger)
{
    private const int MaxResubscribesWithoutProgress = 10;

    /// <summary>The events after <paramref name="from"/>, until the session's log ends (its terminal status) or <paramref name="aborted"/>.</summary>
    /// <exception cref="Exception">The grain failed other than transiently, or did so ten times without an event between.</exception>
    public async IAsyncEnumerable<SessionEvent> EventsAsync(
        string sessionId, ISessionGrain grain, long from, [EnumeratorCancellation] CancellationToken aborted)
    {
        var seen = from;
        var failures = 0;
        while (!aborted.IsCancellationRequested)
        {
            await using var events = grain.WatchAsync(seen, aborted).GetAsyncEnumerator(aborted);
            while (true)
            {
                bool moved;
                try
                {
                    moved = await events.MoveNextAsync();
                }
                catch (Exception e) when (IsTransient(e) && !aborted.IsCancellationRequested && ++failures <= MaxResubscribesWithoutProgress)
                {
                    LogResuming(sessionId, e.GetType().Name, seen);
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * failures), time, aborted);
                    break;
                }
                if (!moved) yield break;
                seen = events.Current.Seq;
                failures = 0;
                yield return events.Current;
            }
        }
    }

    /// <summary>The grain moved, its node died or a call timed out: the log is durable, so resume from it.</summary>
    private static bool IsTransient(Exception e) => e is EnumerationAbortedException || ClusterFaults.IsTransient(e);

    [LoggerMessage(2000, LogLevel.Information, "Event stream of session {SessionId} interrupted ({Error}); resuming after {Seq}")]
    private partial void LogResuming(string sessionId, string error, long seq);
}

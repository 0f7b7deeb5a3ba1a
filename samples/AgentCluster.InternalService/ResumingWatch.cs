using System.Runtime.CompilerServices;
using AgentCluster.Abstractions.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentCluster.InternalService;

/// <summary>
/// A session's events, each exactly once and in order, across the loss of the node the client talks to or of the
/// node hosting the grain: <see cref="ISessionGrain.WatchAsync"/> again from the last sequence number seen, after a
/// transient fault (<see cref="TransientFaults"/>) or a lost gateway (<see cref="GatewayLoss"/>). It ends when the
/// session's log does (after its terminal status), and gives up after <see cref="GiveUpAfter"/> with no event.
/// </summary>
public sealed partial class ResumingWatch(GatewayLoss gateways, TimeProvider time, ILogger<ResumingWatch> logger)
{
    /// <summary>Long enough for the cluster to declare a dead node dead and reactivate the grain elsewhere.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<SessionEvent> EventsAsync(
        ISessionGrain session, long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = afterSeq;
        var failures = 0;
        var lastProgress = time.GetTimestamp();
        while (true)
        {
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, gateways.Next);
            await using var events = session.WatchAsync(seen, watch.Token).GetAsyncEnumerator(watch.Token);
            while (true)
            {
                SessionEvent next;
                try
                {
                    if (!await events.MoveNextAsync()) yield break;
                    next = events.Current;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && (watch.IsCancellationRequested || TransientFaults.IsTransient(e))
                    && time.GetElapsedTime(lastProgress) < GiveUpAfter)
                {
                    LogResuming(e.GetType().Name, seen);
                    break;
                }
                seen = next.Seq;
                failures = 0;
                lastProgress = time.GetTimestamp();
                yield return next;
            }
            var pause = TimeSpan.FromMilliseconds(Math.Min(100 * (1 << Math.Min(++failures, 5)), LongestPause.TotalMilliseconds));
            await Task.Delay(pause, time, cancellationToken);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Watch interrupted ({Error}); resuming after event {Seq}")]
    private partial void LogResuming(string error, long seq);
}

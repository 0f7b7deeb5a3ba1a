using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using AgentCluster.Silo.Api;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// <c>GET /sessions/{id}/events</c> as Server-Sent Events: <c>id:</c> is the event's sequence number, so a
/// client reconnecting with <c>Last-Event-ID</c> (or <c>?after=</c>) gets exactly the events after it. The
/// session grain may live on another node or move mid-stream; the stream re-subscribes from the last event
/// written, which the client never notices. When this node shuts down, the stream ends; the client resumes
/// through another node.
/// </summary>
public sealed partial class EventStream(
    IGrainFactory grains, NodeDrain drain, IOptions<AgentSessionOptions> options, TimeProvider time, Telemetry.SessionMetrics metrics, ILogger<EventStream> logger)
{
    private const int MaxResubscribesWithoutProgress = 10;

    /// <summary>Buffered frames go out at this size even while more events are at hand.</summary>
    private const int FlushThreshold = 32 * 1024;

    /// <summary>Streams the session's events to its owner; anyone else gets the 404 of a missing session.</summary>
    public async Task ServeAsync(string sessionId, string owner, long? after, HttpContext context)
    {
        var from = ResumePoint(context.Request, after);
        var (grain, _) = await grains.OwnedAsync(sessionId, owner);

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(context.RequestAborted);

        metrics.WatcherOpened();
        try
        {
            await StreamAsync(sessionId, grain, from, context);
        }
        finally
        {
            metrics.WatcherClosed();
        }
    }

    private async Task StreamAsync(string sessionId, ISessionGrain grain, long from, HttpContext context)
    {
        // The client left, or this node is shutting down: then the stream just ends, and the client resumes
        // through another node from its Last-Event-ID.
        using var ending = drain.Hold(context);
        var body = context.Response.BodyWriter;
        using var json = new Utf8JsonWriter(body);
        try
        {
            await SseFormatter.WriteAsync(Frames(sessionId, grain, from, body, ending.Token), new UnflushedPipeStream(body),
                SessionEventFrames.DataWriter(json), ending.Token);
            await body.FlushAsync(ending.Token); // the session ended and every event up to its end was written
        }
        catch (OperationCanceledException) when (ending.Token.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The session's events as SSE items, <c>id</c> its sequence number and <c>event</c> its type. The grain may move
    /// or its node die mid-stream: the log is durable, so the watch resumes after the last event written.
    /// </summary>
    private async IAsyncEnumerable<SseItem<SessionEvent>> Frames(
        string sessionId, ISessionGrain grain, long from, PipeWriter body, [EnumeratorCancellation] CancellationToken aborted)
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
                    moved = await NextAsync(events, body, aborted);
                }
                catch (Exception e) when (IsTransient(e) && !aborted.IsCancellationRequested && ++failures <= MaxResubscribesWithoutProgress)
                {
                    LogResuming(sessionId, e.GetType().Name, seen);
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * failures), time, aborted);
                    break;
                }
                if (!moved) yield break;
                var current = events.Current;
                seen = current.Seq;
                failures = 0;
                yield return SessionEventFrames.Item(current);
            }
        }
    }

    /// <summary>
    /// The next event. SseFormatter writes each frame into the response pipe without a flush (UnflushedPipeStream), so
    /// events already at hand go out in few writes (a flush per event costs a syscall and contends on the response
    /// pipe); the stream is flushed as soon as it has caught up, or when enough is buffered. While no event comes, a
    /// comment line every keep-alive interval keeps proxies from closing the stream: SseFormatter has written the
    /// previous frame whole before it asks for the next, so the comment lands between frames.
    /// </summary>
    private async Task<bool> NextAsync(IAsyncEnumerator<SessionEvent> events, PipeWriter body, CancellationToken aborted)
    {
        var moved = events.MoveNextAsync();
        if (moved.IsCompleted && !(body.CanGetUnflushedBytes && body.UnflushedBytes >= FlushThreshold)) return await moved;
        await body.FlushAsync(aborted);
        if (moved.IsCompleted) return await moved;

        var next = moved.AsTask();
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var keepAlive = Task.Delay(options.Value.SseKeepAlive, time, quiet.Token);
            if (await Task.WhenAny(next, keepAlive) == next)
            {
                await quiet.CancelAsync();
                return await next;
            }
            body.Write(": keep-alive\n\n"u8);
            await body.FlushAsync(aborted);
        }
    }

    private static long ResumePoint(HttpRequest request, long? after)
    {
        if (request.Headers["Last-Event-ID"] is { Count: > 0 } header)
        {
            return long.TryParse(header.ToString(), out var lastId) && lastId >= 0
                ? lastId
                : throw SessionException.Invalid("Last-Event-ID", $"Last-Event-ID '{header}' is not an event id (a sequence number ≥ 0).");
        }
        return after is null or >= 0 ? after ?? 0 : throw SessionException.Invalid("after", "after must be a sequence number ≥ 0.");
    }

    /// <summary>The grain moved, its node died or a call timed out: the log is durable, so resume from it.</summary>
    private static bool IsTransient(Exception e) => e is EnumerationAbortedException || ClusterFaults.IsTransient(e);

    [LoggerMessage(2000, LogLevel.Information, "Event stream of session {SessionId} interrupted ({Error}); resuming after {Seq}")]
    private partial void LogResuming(string sessionId, string error, long seq);
}

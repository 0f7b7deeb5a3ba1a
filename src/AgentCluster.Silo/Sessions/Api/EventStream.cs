using System.Text.Json;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// <c>GET /sessions/{id}/events</c> as Server-Sent Events: <c>id:</c> is the event's sequence number, so a
/// client reconnecting with <c>Last-Event-ID</c> (or <c>?after=</c>) gets exactly the events after it. The
/// session grain may live on another node or move mid-stream; the stream re-subscribes from the last event
/// written (<see cref="SessionLogWatch"/>), which the client never notices. When this node shuts down, the stream
/// ends; the client resumes through another node.
/// </summary>
public sealed class EventStream(IGrainFactory grains, SessionLogWatch watch, SseResponse sse, Telemetry.SessionMetrics metrics)
{
    /// <summary>Streams the session's events to its owner; anyone else gets the 404 of a missing session.</summary>
    public async Task ServeAsync(string sessionId, string owner, long? after, HttpContext context)
    {
        var from = ResumePoint(context.Request, after);
        var (grain, _) = await grains.OwnedAsync(sessionId, owner);

        metrics.WatcherOpened();
        try
        {
            using var json = new Utf8JsonWriter(context.Response.BodyWriter);
            await sse.WriteAsync(context, aborted => watch.EventsAsync(sessionId, grain, from, aborted).Select(SessionEventFrames.Item),
                SessionEventFrames.DataWriter(json));
        }
        finally
        {
            metrics.WatcherClosed();
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
}

using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Client;

public sealed partial class AgentClusterClient
{
    /// <summary>
    /// Every event of the session after <paramref name="after"/>, in order, exactly once. The node may end the
    /// stream (it shuts down, a proxy cuts it) or fail for a moment (5xx, a reset connection): the stream then
    /// reconnects with <c>Last-Event-ID</c> = the last event yielded, waiting a growing, bounded backoff
    /// (<see cref="AgentClusterOptions.ReconnectDelay"/>), and drops any event it has already yielded. It ends
    /// after the session's terminal <c>session.status</c> (terminated), or when <paramref name="ct"/> is
    /// cancelled. A 4xx (no such session, a wrong key) is thrown at once, not retried.
    /// </summary>
    public async IAsyncEnumerable<SessionEvent> StreamEventsAsync(string sessionId, long after = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var last = after;
        var failures = 0;
        while (true)
        {
            Exception? failure = null;
            HttpResponseMessage? response = null;
            try
            {
                response = await OpenEventsAsync(sessionId, last, ct);
            }
            catch (Exception e) when (IsTransient(e, ct))
            {
                failure = e;
            }
            if (response is not null)
            {
                using (response)
                {
                    await using var frames = SseParser.Create(await response.Content.ReadAsStreamAsync(ct), ParseEvent)
                        .EnumerateAsync(ct).GetAsyncEnumerator(ct);
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await frames.MoveNextAsync();
                        }
                        catch (Exception e) when (IsTransient(e, ct))
                        {
                            failure = e;
                            break;
                        }
                        if (!more) break;
                        var next = frames.Current.Data;
                        if (next.Seq <= last) continue; // already yielded before a reconnect
                        last = next.Seq;
                        failures = 0;
                        yield return next;
                        if (IsEnd(next)) yield break;
                    }
                }
                // The stream ended cleanly before the terminal event: the node went away, or the session had
                // already ended before `last` (its terminal event is not after it). Only the latter is the end.
                if (failure is null && await EndedBeforeAsync(sessionId, last, ct)) yield break;
            }
            if (++failures > _options.MaxReconnectAttempts)
            {
                throw failure ?? new ServiceUnavailableException(503, "Event stream unavailable",
                    $"The event stream of session {sessionId} ended {failures - 1} times in a row without a new event.");
            }
            await Task.Delay(Backoff(failures), _time, ct);
        }
    }

    private async Task<HttpResponseMessage> OpenEventsAsync(string sessionId, long last, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Session(sessionId) + "/events");
        AcceptEventStream(request);
        if (last > 0) request.Headers.Add("Last-Event-ID", last.ToString());
        return await SendRawAsync(request, ct, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>
    /// An event stream, or the ProblemDetails of a refusal. The node answers a refusal as a problem whatever the request
    /// accepts (AnyAcceptProblemWriter); saying so keeps a proxy or an older node from turning it into a bare 500.
    /// </summary>
    private static void AcceptEventStream(HttpRequestMessage request)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json", 0.5));
    }

    /// <summary>Whether the session is terminated with no event after <paramref name="last"/>: nothing more will come.</summary>
    private async Task<bool> EndedBeforeAsync(string sessionId, long last, CancellationToken ct)
    {
        try
        {
            var view = await GetSessionAsync(sessionId, ct);
            return view.Status == SessionStatus.Terminated && view.LastEventId <= last;
        }
        catch (Exception e) when (IsTransient(e, ct))
        {
            return false; // the node is away: reconnect, and ask again then
        }
    }

    private static SessionEvent ParseEvent(string type, ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize<SessionEvent>(data, ProtocolJson.Options)
        ?? throw new JsonException($"An SSE frame of type '{type}' holds no event.");

    /// <summary>The session's last event: its status became terminated.</summary>
    public static bool IsEnd(SessionEvent e)
    {
        if (e.Type != EventTypes.SessionStatus) return false;
        using var payload = JsonDocument.Parse(e.Payload);
        return payload.RootElement.TryGetProperty("status", out var status)
            && status.ValueKind == JsonValueKind.String
            && SessionWireNames.ParseStatus(status.GetString()) == SessionStatus.Terminated;
    }

    /// <summary>A failure of the moment, worth a reconnect: the connection, the node's 5xx, a timeout that is not the caller's.</summary>
    private static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        HttpRequestException or IOException => true,
        AgentClusterException { Status: >= 500 } => true,
        OperationCanceledException => !ct.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The wait before reconnect number <paramref name="failures"/>: doubling from ReconnectDelay, at most MaxReconnectDelay.</summary>
    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 20));
        return TimeSpan.FromTicks((long)Math.Min(_options.ReconnectDelay.Ticks * factor, _options.MaxReconnectDelay.Ticks));
    }
}

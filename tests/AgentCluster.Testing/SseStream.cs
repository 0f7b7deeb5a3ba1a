using System.Text.Json.Nodes;

namespace AgentCluster.Testing;

/// <summary>
/// A client of <c>GET /sessions/{id}/events</c>: parses frames as they arrive (id, event, data; comments counted as
/// keep-alives), so that a caller can wait for a given event with a deadline while the stream stays open (it does
/// for as long as the session lives). For readers that must keep up with tens of thousands of events a second,
/// see <see cref="SseReader"/>.
/// </summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseStream(HttpResponseMessage response, StreamReader reader)
    {
        this.response = response;
        this.reader = reader;
    }

    /// <summary>Every event read so far, in order.</summary>
    public List<SseEvent> Received { get; } = [];
    public int KeepAlives { get; private set; }
    public bool Ended { get; private set; }

    public static async Task<SseStream> OpenAsync(HttpClient http, string path, string? lastEventId = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
                throw new InvalidOperationException($"{path} answered {response.Content.Headers.ContentType}, not text/event-stream");
            return new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The event stream of one session, from its start.</summary>
    public static Task<SseStream> OpenSessionAsync(HttpClient http, string sessionId, CancellationToken cancellationToken = default) =>
        OpenAsync(http, $"/sessions/{sessionId}/events", cancellationToken: cancellationToken);

    /// <summary>Reads until an event matches (returning it); fails when the stream ends or the deadline passes first.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan deadline, string because, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            while (await NextAsync(timeout.Token) is { } e)
                if (match(e)) return e;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No such event within {deadline.TotalSeconds:0} s ({because}); got: {Seen()}");
        }
        throw new InvalidOperationException($"The stream ended before any such event ({because}); got: {Seen()}");
    }

    /// <summary>Reads until an event of <paramref name="type"/> (that <paramref name="where"/> accepts, if given) arrives.</summary>
    public Task<SseEvent> WaitForAsync(string type, TimeSpan deadline, CancellationToken cancellationToken, Func<SseEvent, bool>? where = null) =>
        WaitForAsync(e => e.Type == type && (where is null || where(e)), deadline, type, cancellationToken);

    /// <summary>Reads to the end of the stream (the server closes it after the terminal status).</summary>
    public async Task ReadToEndAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (await NextAsync(timeout.Token) is not null)
        {
        }
    }

    /// <summary>Reads until <paramref name="count"/> keep-alive comments arrived in all, failing at the deadline.</summary>
    public async Task WaitForKeepAlivesAsync(int count, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            while (KeepAlives < count && !Ended) await NextAsync(timeout.Token, returnOnComment: true);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
        if (KeepAlives < count) throw new TimeoutException($"{KeepAlives} keep-alives within {deadline.TotalSeconds:0} s, expected {count}");
    }

    /// <summary>The next event, or null once the server ended the stream.</summary>
    public Task<SseEvent?> NextEventAsync(CancellationToken cancellationToken) => NextAsync(cancellationToken);

    private string Seen() => string.Join(", ", Received.Select(e => $"{e.Id}:{e.Type}"));

    private async Task<SseEvent?> NextAsync(CancellationToken cancellationToken, bool returnOnComment = false)
    {
        string? id = null, type = null, data = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                Ended = true;
                return null;
            }
            if (line.Length == 0)
            {
                if (data is null) continue;
                var e = new SseEvent(id is null ? 0 : long.Parse(id), type ?? "message", JsonNode.Parse(data)!.AsObject());
                Received.Add(e);
                return e;
            }
            if (line.StartsWith(':'))
            {
                KeepAlives++;
                if (returnOnComment) return null;
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

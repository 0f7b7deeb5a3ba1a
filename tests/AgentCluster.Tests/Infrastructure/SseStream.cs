using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>One Server-Sent Event as a client parses it.</summary>
public sealed record SseEvent(long Id, string Type, JsonObject Data)
{
    public int Turn => Data["turn"]!.GetValue<int>();
    public JsonObject Payload => Data["payload"]!.AsObject();
}

/// <summary>
/// A client of <c>GET /sessions/{id}/events</c>: parses frames as they arrive (id, event, data; comments
/// counted as keep-alives) so a test can wait for a given event with a deadline.
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

    public List<SseEvent> Received { get; } = [];
    public int KeepAlives { get; private set; }
    public bool Ended { get; private set; }

    public static async Task<SseStream> OpenAsync(HttpClient http, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>Reads until an event matches (returning it), the stream ends, or the deadline passes (failing).</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan deadline, string because)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            while (await NextAsync(timeout.Token) is { } e)
                if (match(e)) return e;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
        Assert.Fail($"No such event within {deadline.TotalSeconds:0} s ({because}); got: {string.Join(", ", Received.Select(e => $"{e.Id}:{e.Type}"))}");
        return null!;
    }

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
        Assert.True(KeepAlives >= count, $"{KeepAlives} keep-alives within {deadline.TotalSeconds:0} s, expected {count}");
    }

    /// <summary>The next event, or null once the server ended the stream.</summary>
    public Task<SseEvent?> NextEventAsync(CancellationToken cancellationToken) => NextAsync(cancellationToken);

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
                var e = new SseEvent(long.Parse(id!), type!, JsonNode.Parse(data)!.AsObject());
                Received.Add(e);
                return e;
            }
            if (line.StartsWith(':'))
            {
                KeepAlives++;
                if (returnOnComment) return null;
            }
            else if (line.StartsWith("id: ")) id = line[4..];
            else if (line.StartsWith("event: ")) type = line[7..];
            else if (line.StartsWith("data: ")) data = line[6..];
        }
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

public static class SseEventExtensions
{
    public static string Text(this SseEvent e) => e.Payload["text"]!.GetValue<string>();

    public static bool IsTurnCompleted(this SseEvent e, int turn) => e.Type == "turn.completed" && e.Turn == turn;

    public static string Json(this SseEvent e) => e.Data.ToJsonString(new JsonSerializerOptions());
}

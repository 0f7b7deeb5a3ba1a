using System.Text.Json.Nodes;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>One Server-Sent Event of a session's stream: its type and its data (the event as JSON).</summary>
public sealed record StreamedEvent(string Type, JsonObject Data)
{
    public JsonObject Payload => Data["payload"]!.AsObject();
}

/// <summary>
/// A client of <c>GET /sessions/{id}/events</c> that parses frames as they arrive, so a scenario can stop at
/// the first event it is waiting for (the stream itself stays open for as long as the session lives).
/// </summary>
public sealed class SessionEventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SessionEventStream(HttpResponseMessage response, StreamReader reader)
    {
        this.response = response;
        this.reader = reader;
    }

    public static async Task<SessionEventStream> OpenAsync(HttpClient node, string sessionId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sessions/{sessionId}/events");
        var response = await node.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            response.EnsureSuccessStatusCode();
            return new SessionEventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads until an event of <paramref name="type"/> (that <paramref name="where"/> accepts, if given) arrives;
    /// fails when the stream ends or the deadline passes first.
    /// </summary>
    public async Task<StreamedEvent> WaitForAsync(
        string type, TimeSpan deadline, CancellationToken cancellationToken, Func<StreamedEvent, bool>? where = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var seen = new List<string>();
        try
        {
            while (await NextAsync(timeout.Token) is { } e)
            {
                if (e.Type == type && (where is null || where(e))) return e;
                seen.Add(e.Type);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no {type} within {deadline.TotalSeconds:0} s; got: {string.Join(", ", seen)}");
        }
        throw new InvalidOperationException($"the stream ended before any {type}; got: {string.Join(", ", seen)}");
    }

    /// <summary>The next event, or null once the server ended the stream; keep-alive comments are skipped.</summary>
    private async Task<StreamedEvent?> NextAsync(CancellationToken cancellationToken)
    {
        string? type = null, data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) return new StreamedEvent(type ?? "message", JsonNode.Parse(data)!.AsObject());
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
        return null;
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

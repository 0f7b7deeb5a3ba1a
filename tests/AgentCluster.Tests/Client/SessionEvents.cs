using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Client;

namespace AgentCluster.Tests.Client;

/// <summary>A session's events read with StreamEventsAsync in the background, to wait on while a test acts on the session.</summary>
public sealed class SessionEvents : IAsyncDisposable
{
    private readonly ConcurrentQueue<SessionEvent> received = new();
    private readonly CancellationTokenSource stop = new();

    private SessionEvents(AgentClusterClient client, string sessionId) =>
        Reading = Task.Run(async () =>
        {
            await foreach (var e in client.StreamEventsAsync(sessionId, ct: stop.Token)) received.Enqueue(e);
        });

    /// <summary>Ends (with the stream) after the session's terminal event.</summary>
    public Task Reading { get; }

    public IReadOnlyList<SessionEvent> Received => received.ToList();

    public static SessionEvents Start(AgentClusterClient client, string sessionId) => new(client, sessionId);

    public async Task<SessionEvent> WaitForAsync(Func<SessionEvent, bool> match, string because)
    {
        await Eventually.TrueAsync(() => Task.FromResult(received.Any(match) || Reading.IsCompleted), ClientNodeFixture.Deadline,
            () => $"{because}; received: {string.Join(", ", received.Select(e => $"{e.Seq} {e.Type} {e.Payload}"))}");
        if (Reading.IsFaulted) await Reading; // the stream failed: say how
        return received.First(match);
    }

    public static bool TurnCompleted(SessionEvent e, int turn) => e.Type == EventTypes.TurnCompleted && e.Turn == turn;

    public static JsonNode Payload(SessionEvent e) => JsonNode.Parse(e.Payload)!;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try { await Reading; }
        catch (OperationCanceledException) { }
        stop.Dispose();
    }
}

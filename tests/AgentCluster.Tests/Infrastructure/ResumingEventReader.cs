namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// A client of one session's event stream that rides out node failures as a browser's EventSource would:
/// when the stream breaks or a node refuses it (503, connection refused), it reconnects through the next
/// node with <c>Last-Event-ID</c>. It keeps every event it was sent, duplicates included, so a test can check
/// that it saw each exactly once.
/// </summary>
public sealed class ResumingEventReader(string sessionId, IReadOnlyList<HttpClient> nodes)
{
    private int node;
    private long lastId;

    public string SessionId => sessionId;

    public List<SseEvent> Events { get; } = [];

    /// <summary>When each event arrived.</summary>
    public List<DateTimeOffset> Arrivals { get; } = [];

    /// <summary>Why each stream ended or could not be opened, in order.</summary>
    public List<string> Interruptions { get; } = [];

    /// <summary>The id of the last event received; safe to read while the reader runs.</summary>
    public long LastId => Interlocked.Read(ref lastId);

    /// <summary>Reads until an event matches, reconnecting as often as needed; fails at the deadline.</summary>
    public async Task ReadUntilAsync(Func<SseEvent, bool> until, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var pause = TimeSpan.FromMilliseconds(50);
        try
        {
            while (true)
            {
                var via = nodes[node];
                try
                {
                    await using var stream = await SseStream.OpenAsync(via, $"/sessions/{sessionId}/events", Events.Count == 0 ? null : LastId.ToString());
                    pause = TimeSpan.FromMilliseconds(50);
                    while (await stream.NextEventAsync(timeout.Token) is { } e)
                    {
                        Events.Add(e);
                        Arrivals.Add(DateTimeOffset.UtcNow);
                        Interlocked.Exchange(ref lastId, e.Id);
                        if (until(e)) return;
                    }
                    Interruptions.Add($"{via.BaseAddress}: stream ended after {LastId}");
                }
                catch (Exception e) when (e is HttpRequestException or IOException && !timeout.IsCancellationRequested)
                {
                    Interruptions.Add($"{via.BaseAddress}: {e.GetType().Name} {e.Message} after {LastId}");
                }
                node = (node + 1) % nodes.Count;
                await Task.Delay(pause, timeout.Token); // reconnect backoff, as EventSource's retry
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 1000));
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"Session {sessionId}: no matching event within {deadline.TotalSeconds:0} s; last id {LastId}; interruptions: {string.Join("; ", Interruptions)}");
        }
    }

    /// <summary>
    /// The longest time between two consecutive events among those <paramref name="among"/> picks (all by
    /// default): the failover gap, when a node died in between.
    /// </summary>
    public Gap LongestGap(Func<SseEvent, bool>? among = null)
    {
        var picked = Events.Zip(Arrivals).Where(p => among?.Invoke(p.First) ?? true).ToList();
        return picked.Zip(picked.Skip(1), (a, b) => new Gap(b.Second - a.Second, a.First.Id, b.First.Id, a.Second))
            .DefaultIfEmpty(new Gap(TimeSpan.Zero, 0, 0, default)).MaxBy(g => g.Duration)!;
    }

    public sealed record Gap(TimeSpan Duration, long FromId, long ToId, DateTimeOffset Since)
    {
        public override string ToString() => $"{Duration.TotalSeconds:0.0} s between events {FromId} and {ToId} (from {Since:HH:mm:ss.fff} UTC)";
    }
}

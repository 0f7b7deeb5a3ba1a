using System.Diagnostics;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>
/// One SSE reader of a session's events (GET /sessions/{id}/events, from the start) that checks the relay:
/// every event's id follows the last one, and the <see cref="StampedOutput"/> numbers count up from 1 with
/// none missing, so a lost, repeated or reordered event fails the reader instead of flattering the figure.
/// It reads until cancelled; <see cref="Delivered"/> says how far it got.
/// </summary>
public sealed class OutputReader(HttpClient node, string sessionId, bool measureLatency)
{
    private static readonly double MillisecondsPerTick = 1000.0 / Stopwatch.Frequency;

    private long delivered;
    private long lastId;

    public string SessionId { get; } = sessionId;

    public Uri Node => node.BaseAddress!;

    /// <summary>agent.output events received so far, all in order.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Push-to-receipt times in milliseconds, when measured.</summary>
    public List<double> Latencies { get; } = [];

    /// <summary>Why the reader stopped before it was cancelled, if it did.</summary>
    public string? Error { get; private set; }

    /// <summary>Completes once the node has answered with the stream's headers.</summary>
    public Task Connected => connected.Task;

    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? reached;
    private long expected = long.MaxValue;

    /// <summary>Completes once <paramref name="count"/> events have arrived, or the reader has stopped (see <see cref="Error"/>).</summary>
    public Task DeliveredAsync(long count)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reached = signal;
        Interlocked.Exchange(ref expected, count);
        if (Delivered >= count) signal.TrySetResult();
        return Task.WhenAny(signal.Task, stopped.Task);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await node.GetAsync($"/sessions/{SessionId}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            connected.TrySetResult();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await SseReader.ReadAsync(body, OnFrame, cancellationToken);
            Error ??= "the node ended the stream";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException)
        {
            Error ??= $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            connected.TrySetResult(); // a reader that failed to connect is not waited for; its Error says why
            stopped.TrySetResult();
        }
    }

    private void OnFrame(long id, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var received = Stopwatch.GetTimestamp();
        if (id != lastId + 1) throw new InvalidDataException($"event id {id} after {lastId}");
        lastId = id;
        if (!type.SequenceEqual("agent.output"u8)) return; // the session's own events (status, the turn's message)
        if (!StampedOutput.TryRead(data, out var number, out var pushed)) throw new InvalidDataException($"event {id}: no stamped output");
        if (number != delivered + 1) throw new InvalidDataException($"event {id}: output #{number} after #{delivered}");
        if (measureLatency) Latencies.Add((received - pushed) * MillisecondsPerTick);
        if (Interlocked.Increment(ref delivered) >= Interlocked.Read(ref expected)) reached?.TrySetResult();
    }
}

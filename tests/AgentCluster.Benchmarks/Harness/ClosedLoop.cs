using System.Diagnostics;

namespace AgentCluster.Benchmarks.Harness;

/// <summary>What a closed-loop run measured: operations, failures, throughput and latencies (after the warm-up).</summary>
public sealed record LoadResult(int Operations, int Failures, TimeSpan Elapsed, Latencies Latencies, string? FirstFailure)
{
    /// <summary>Calls made during the warm-up (not in the figures above, but the server did the work).</summary>
    public int WarmUpOperations { get; init; }

    public double PerSecond => Operations / Elapsed.TotalSeconds;
}

/// <summary>
/// Drives an operation from <c>concurrency</c> workers, each starting its next call as soon as its last one
/// ended (a closed loop: the offered load is what the server can take at that concurrency). A warm-up runs
/// first and is not counted; the run ends after <c>duration</c> or <c>maxOperations</c>, whichever is first.
/// </summary>
public static class ClosedLoop
{
    public static async Task<LoadResult> RunAsync(
        int concurrency, TimeSpan warmUp, TimeSpan duration, Func<int, CancellationToken, Task> operation,
        CancellationToken cancellationToken, int maxOperations = int.MaxValue)
    {
        var warm = warmUp > TimeSpan.Zero ? await MeasureAsync(concurrency, warmUp, int.MaxValue, operation, cancellationToken) : null;
        var measured = await MeasureAsync(concurrency, duration, maxOperations, operation, cancellationToken);
        return measured with { WarmUpOperations = warm is null ? 0 : warm.Operations + warm.Failures };
    }

    private static async Task<LoadResult> MeasureAsync(
        int concurrency, TimeSpan duration, int maxOperations, Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var samples = new List<double>[concurrency];
        var failures = 0;
        string? firstFailure = null;
        var started = 0;
        var clock = Stopwatch.StartNew();
        var end = duration;

        async Task WorkerAsync(int worker)
        {
            var mine = samples[worker] = new List<double>(1024);
            while (clock.Elapsed < end && Interlocked.Increment(ref started) <= maxOperations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var begin = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, cancellationToken);
                    mine.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, $"{e.GetType().Name}: {e.Message}", null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => WorkerAsync(w), cancellationToken)));
        var elapsed = clock.Elapsed;
        var all = new Latencies(samples.SelectMany(s => s ?? []));
        return new LoadResult(all.Count, failures, elapsed, all, firstFailure);
    }
}

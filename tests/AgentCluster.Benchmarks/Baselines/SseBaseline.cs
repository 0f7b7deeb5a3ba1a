using System.Diagnostics;
using AgentCluster.Benchmarks.Agents;
using AgentCluster.Benchmarks.Harness;

namespace AgentCluster.Benchmarks.Baselines;

/// <summary>
/// What one Kestrel process can deliver to SSE readers on this machine: <c>readers</c> concurrent streams of
/// the <see cref="BaselineServer"/>'s /sse (frames from memory, a flush per event, the node's framing), read by
/// the same <see cref="SseReader"/> as the relay's readers. Events a second over all readers.
/// </summary>
public static class SseBaseline
{
    public static async Task<double> EventsPerSecondAsync(Bench bench, int readers, int eventsPerReader, int dataSize, CancellationToken cancellationToken)
    {
        using var http = bench.Client((await bench.BaselineAsync()).Url);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, readers).Select(_ => ReadAsync(http, eventsPerReader, dataSize, deadline.Token)));
        var elapsed = clock.Elapsed;
        if (counts.Any(c => c != eventsPerReader))
            throw new InvalidOperationException($"SSE baseline: a reader got {counts.Min()} of {eventsPerReader} events");
        var perSecond = counts.Sum() / elapsed.TotalSeconds;
        bench.Log($"baseline kestrel sse, {readers} readers × {eventsPerReader} events of {dataSize} B: {perSecond:0} events/s");
        return perSecond;
    }

    private static async Task<long> ReadAsync(HttpClient http, int events, int size, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/sse?events={events}&size={size}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        long last = 0;
        await SseReader.ReadAsync(body, (id, _, _) =>
        {
            if (id != last + 1) throw new InvalidDataException($"SSE baseline: event id {id} after {last}");
            last = id;
        }, cancellationToken);
        return last;
    }
}

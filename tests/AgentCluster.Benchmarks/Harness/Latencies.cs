namespace AgentCluster.Benchmarks.Harness;

/// <summary>A set of measured durations, in milliseconds, with exact percentiles (the counts here are bounded).</summary>
public sealed class Latencies
{
    private readonly double[] sorted;

    public Latencies(IEnumerable<double> milliseconds)
    {
        sorted = milliseconds.ToArray();
        Array.Sort(sorted);
    }

    public int Count => sorted.Length;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    public double Max => sorted.Length == 0 ? double.NaN : sorted[^1];

    /// <summary>Nearest-rank percentile; NaN when nothing was measured.</summary>
    public double Percentile(double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

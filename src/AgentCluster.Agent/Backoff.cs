namespace AgentCluster.Agent;

/// <summary>Exponential delays between retries, 100 ms doubling up to 5 s, with jitter.</summary>
internal sealed class Backoff(Random random)
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    private int failures;

    /// <summary>
    /// Half of each step is fixed so that retries really do slow down; the other half is random so that the
    /// agents of every session on a node that just died do not all retry in lockstep.
    /// </summary>
    public TimeSpan Next()
    {
        var step = Math.Min(Max.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, failures));
        failures = Math.Min(failures + 1, 30);
        return TimeSpan.FromMilliseconds(step / 2 + random.NextDouble() * step / 2);
    }

    public void Reset() => failures = 0;
}

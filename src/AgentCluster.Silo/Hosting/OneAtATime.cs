namespace AgentCluster.Silo.Hosting;

/// <summary>
/// Changes of a grain whose calls interleave (long polls, creates under way) that must not: each runs alone, holding
/// the grain's gate, while the calls that only wait or read go on.
/// </summary>
internal static class OneAtATime
{
    public static async Task<T> RunAsync<T>(this SemaphoreSlim gate, Func<Task<T>> change, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await change();
        }
        finally
        {
            gate.Release();
        }
    }
}

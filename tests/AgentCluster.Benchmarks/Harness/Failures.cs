namespace AgentCluster.Benchmarks.Harness;

public static class Failures
{
    /// <summary>A figure measured over failing calls means nothing: the scenario fails instead, saying why.</summary>
    public static void ThrowIfAny(string what, LoadResult result)
    {
        if (result.Failures > 0)
            throw new InvalidOperationException($"{what}: {result.Failures} of {result.Operations + result.Failures} calls failed; the first: {result.FirstFailure}");
        if (result.Operations == 0) throw new InvalidOperationException($"{what}: no call completed");
    }
}

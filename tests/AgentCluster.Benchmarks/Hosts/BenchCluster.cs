namespace AgentCluster.Benchmarks.Hosts;

/// <summary>The harness's nodes: configured as a user would configure them, always with the harness's emulator as their Fly.</summary>
public static class BenchCluster
{
    /// <summary>The harness keeps a node's last lines only, for the report when something fails: a long run logs a lot.</summary>
    private const int KeptLines = 200;

    extension(NodeHost)
    {
        /// <summary>Starts nodes that form one cluster (on <paramref name="redis"/>, or one embedded node when it is null).</summary>
        public static Task<IReadOnlyList<NodeHost>> StartClusterAsync(
            int count, EmulatorHost fly, RedisHost? redis, IReadOnlyDictionary<string, string>? settings = null)
        {
            if (redis is null && count != 1) throw new ArgumentException("The embedded mode is one node.", nameof(count));
            var env = new Dictionary<string, string>(fly.NodeEnvironment)
            {
                ["Orleans__ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
                // The benchmarks measure the product against an emulator that answers at once: Fly's own
                // limit (one create a second per app, bursts of 3) would be all a create figure showed.
                ["Fly__ClientRateLimits"] = "false",
            };
            if (redis is not null) env["REDIS_URL"] = redis.Url;
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
            return NodeHost.StartClusterAsync(count, env, KeptLines);
        }
    }
}

using AgentCluster.Benchmarks.Hosts;
using AgentCluster.Silo.Hosting;
using StackExchange.Redis;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Benchmarks.Harness;

/// <summary>What a bare Redis round trip costs on this machine: the floor under every figure the product's Redis use gives.</summary>
/// <param name="Ping">PING, one at a time.</param>
/// <param name="Set">SET of a value of <paramref name="ValueBytes"/>, one at a time.</param>
/// <param name="SetBytesSent">Bytes Redis receives for one such SET (key, value and RESP framing).</param>
public sealed record RedisRoundTrips(LoadResult Ping, LoadResult Set, int ValueBytes, double SetBytesSent)
{
    public IEnumerable<Metric> Metrics() =>
    [
        new Metric("redis PING p50 @1", Ping.Latencies.P50, "ms"),
        new Metric("redis PING p99 @1", Ping.Latencies.P99, "ms"),
        new Metric("redis PING/s @1", Ping.PerSecond, "/s"),
        new Metric($"redis SET {ValueBytes} B p50 @1", Set.Latencies.P50, "ms"),
        new Metric($"redis SET {ValueBytes} B bytes sent", SetBytesSent, "B"),
    ];
}

/// <summary>
/// Redis baselines measured from this process with the client set up as a node sets it up
/// (<see cref="RedisUrl.Parse"/>, one multiplexer), against the scenario's own redis-server.
/// </summary>
public static class RedisBaseline
{
    /// <summary>Sequential SETs whose bytes are counted: enough that INFO's own request is lost in the rounding.</summary>
    private const int CountedSets = 500;

    public static async Task<RedisRoundTrips> MeasureAsync(Bench bench, RedisHost redis, int valueBytes, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisUrl.Parse(redis.Url));
        var db = connection.GetDatabase();
        var value = new byte[valueBytes];
        Random.Shared.NextBytes(value);
        var key = "bench/baseline/" + Guid.NewGuid().ToString("N");
        var duration = bench.Seconds(3, 0.3);

        var ping = await ClosedLoop.RunAsync(1, bench.WarmUp, duration, (_, _) => db.PingAsync(), cancellationToken);
        var set = await ClosedLoop.RunAsync(1, bench.WarmUp, duration, (_, _) => db.StringSetAsync(key, value), cancellationToken);
        Failures.ThrowIfAny("redis PING", ping);
        Failures.ThrowIfAny("redis SET", set);

        var before = await redis.NetInputBytesAsync();
        for (var i = 0; i < CountedSets; i++) await db.StringSetAsync(key, value);
        var setBytes = (await redis.NetInputBytesAsync() - before) / (double)CountedSets;
        await db.KeyDeleteAsync(key);

        bench.Log($"baseline redis: PING p50 {ping.Latencies.P50:0.000} ms p99 {ping.Latencies.P99:0.000} ms ({ping.PerSecond:0}/s); " +
                  $"SET {valueBytes} B p50 {set.Latencies.P50:0.000} ms, {setBytes:0.#} bytes sent");
        return new RedisRoundTrips(ping, set, valueBytes, setBytes);
    }
}

using AgentCluster.Silo.Reaping;
using StackExchange.Redis;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Storage;

/// <summary>One sorted set per shard, scored by due time in unix milliseconds.</summary>
public sealed class RedisReaperSchedule(IConnectionMultiplexer redis, RedisKeys keys, ReaperShards shards) : IReaperSchedule
{
    public Task SetAsync(string sessionId, DateTimeOffset due) =>
        redis.GetDatabase().SortedSetAddAsync(Key(sessionId), sessionId, due.ToUnixTimeMilliseconds());

    public Task RemoveAsync(string sessionId) => redis.GetDatabase().SortedSetRemoveAsync(Key(sessionId), sessionId);

    public async Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset now, int limit)
    {
        var due = await redis.GetDatabase().SortedSetRangeByScoreAsync(
            keys.ReaperSchedule(shard), double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: limit);
        return due.Select(d => d.ToString()).ToList();
    }

    public Task<long> CountAsync(int shard) => redis.GetDatabase().SortedSetLengthAsync(keys.ReaperSchedule(shard));

    private string Key(string sessionId) => keys.ReaperSchedule(shards.Of(sessionId));
}

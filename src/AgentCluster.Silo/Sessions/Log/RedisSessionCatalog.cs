using StackExchange.Redis;
using AgentCluster.Silo.Storage;

namespace AgentCluster.Silo.Sessions;

/// <summary>A sorted set per owner with every score 0, so members sort by their text: creation time, then id.</summary>
public sealed class RedisSessionCatalog(IConnectionMultiplexer redis, RedisKeys keys) : ISessionCatalog
{
    public Task AddAsync(string owner, string sessionId, DateTimeOffset createdAt) =>
        redis.GetDatabase().SortedSetAddAsync(keys.Catalog(owner), CatalogEntry.Of(sessionId, createdAt), 0);

    public async Task<CatalogPage> ListAsync(string owner, string? cursor, int limit)
    {
        var before = CatalogEntry.FromCursor(cursor);
        var entries = await redis.GetDatabase().SortedSetRangeByValueAsync(
            keys.Catalog(owner),
            min: default,
            max: before is null ? default(RedisValue) : before,
            exclude: before is null ? Exclude.None : Exclude.Stop,
            order: Order.Descending,
            take: limit + 1);
        return MemorySessionCatalog.Page(entries.Select(e => e.ToString()).ToList(), limit);
    }
}

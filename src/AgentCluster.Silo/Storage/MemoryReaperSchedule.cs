using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Storage;

/// <summary>The schedule of the embedded default (one node, nothing survives it anyway).</summary>
public sealed class MemoryReaperSchedule(ReaperShards shards) : IReaperSchedule
{
    private readonly Dictionary<string, long> dueBySession = [];
    private readonly Dictionary<int, SortedSet<(long Due, string SessionId)>> byShard = [];

    public Task SetAsync(string sessionId, DateTimeOffset due)
    {
        lock (dueBySession)
        {
            Remove(sessionId);
            var entry = (due.ToUnixTimeMilliseconds(), sessionId);
            dueBySession[sessionId] = entry.Item1;
            Shard(shards.Of(sessionId)).Add(entry);
        }
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string sessionId)
    {
        lock (dueBySession) Remove(sessionId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset now, int limit)
    {
        var until = now.ToUnixTimeMilliseconds();
        lock (dueBySession)
            return Task.FromResult<IReadOnlyList<string>>(Shard(shard).TakeWhile(e => e.Due <= until).Take(limit).Select(e => e.SessionId).ToList());
    }

    public Task<long> CountAsync(int shard)
    {
        lock (dueBySession) return Task.FromResult((long)Shard(shard).Count);
    }

    private void Remove(string sessionId)
    {
        if (dueBySession.Remove(sessionId, out var due)) Shard(shards.Of(sessionId)).Remove((due, sessionId));
    }

    private SortedSet<(long Due, string SessionId)> Shard(int shard) =>
        byShard.TryGetValue(shard, out var set) ? set : byShard[shard] = [];
}

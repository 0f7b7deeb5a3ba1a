using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Storage;

/// <summary>
/// The reaper's durable set of tracked sessions: for each, when it next needs looking at (its heartbeat
/// deadline, an idle or stall timeout, a retention end, a destroy to retry). Sessions write their own entry,
/// only when it must move earlier or after the reaper looked at them; a sweep reads only what is due, so its
/// work is proportional to what expires, not to what is tracked.
/// </summary>
public interface IReaperSchedule
{
    Task SetAsync(string sessionId, DateTimeOffset due);

    Task RemoveAsync(string sessionId);

    /// <summary>Up to <paramref name="limit"/> sessions of the shard due at <paramref name="now"/>, the most overdue first.</summary>
    Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset now, int limit);

    Task<long> CountAsync(int shard);
}

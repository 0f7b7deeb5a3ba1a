using AgentCluster.Silo.Storage;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// A session's entry in the reaper's schedule, as far as its activation knows it. A next check that moved earlier
/// is written at once; one that only moved later (every heartbeat) costs nothing: the reaper looks at the old time,
/// and the session tells it the new one then.
/// </summary>
internal sealed class UpkeepSchedule(IReaperSchedule schedule, string sessionId)
{
    // What the schedule holds for the session (null: unknown, or nothing).
    private DateTimeOffset? scheduled;

    /// <summary>After a change: the schedule is moved only when the next check came earlier.</summary>
    public async Task KeepAsync(DateTimeOffset? next)
    {
        if (next is not { } at || scheduled <= at) return;
        await schedule.SetAsync(sessionId, at);
        scheduled = at;
    }

    /// <summary>After a check: the schedule holds exactly the next one, or nothing when there is nothing left to watch.</summary>
    public async Task SetAsync(DateTimeOffset? next)
    {
        scheduled = next;
        if (next is { } at) await schedule.SetAsync(sessionId, at);
        else await schedule.RemoveAsync(sessionId);
    }
}

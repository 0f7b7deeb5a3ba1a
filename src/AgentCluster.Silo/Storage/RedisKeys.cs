using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Storage;

/// <summary>
/// The application's own Redis keys, under the Orleans service id like the grain state, and with the session
/// id in a hash tag so one session's keys live in one Redis Cluster slot (MULTI/EXEC needs that).
/// </summary>
public sealed class RedisKeys(string serviceId)
{
    public string Events(string sessionId) => $"{serviceId}/session/{{{sessionId}}}/events";
    public string AgentCursor(string sessionId) => $"{serviceId}/session/{{{sessionId}}}/agent";
    /// <summary>An owner's sessions (owner names are API key names: letters, digits, '_', '-', '.').</summary>
    public string Catalog(string owner) => $"{serviceId}/owner/{owner}/sessions";
    public string ReaperSchedule(int shard) => $"{serviceId}/reaper/{shard}";
}

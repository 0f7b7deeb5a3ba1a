using AgentCluster.Silo.Storage;
using Orleans.Persistence.Redis;
using Orleans.Runtime;
using StackExchange.Redis;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Api;

internal static class ClusterFaults
{
    /// <summary>
    /// The session's node died or is leaving, a grain call timed out, or Redis (the cluster's storage) is
    /// unreachable or restarting, here or in the grain that answered: the same call can be retried.
    /// </summary>
    public static bool IsTransient(Exception e)
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            // RedisStorageException (grain state) carries the Redis failure in its message only, not as an inner exception.
            if (cause is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
                or RedisConnectionException or RedisStorageException or EventLogConflictException
                || (cause is RedisServerException server && server.Message.StartsWith("LOADING", StringComparison.Ordinal)))
                return true;
        }
        return false;
    }
}

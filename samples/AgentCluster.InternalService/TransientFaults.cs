using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using StackExchange.Redis;

namespace AgentCluster.InternalService;

/// <summary>
/// What a client of the cluster may simply try again: the node it talked to (or the one hosting the grain) died or is
/// leaving, a call timed out, the grain moved and forgot an enumeration under way, or Redis (the cluster's storage)
/// failed in the grain that answered. The session's log is durable, so none of these loses an event.
/// </summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception e)
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException
                or TimeoutException or EnumerationAbortedException or RedisConnectionException)
                return true;
        }
        return false;
    }
}

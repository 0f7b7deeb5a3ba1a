using AgentCluster.Silo.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Health;

/// <summary>
/// Redis answers a PING over the node's shared connection (the one Orleans' clustering, storage and reminders
/// use), so the check sees what the node sees. Registered only with REDIS_URL. The reason names the failure,
/// never the server's address or credentials.
/// </summary>
public sealed class RedisCheck(RedisConnection redis) : IHealthCheck
{
    public const string Name = "redis";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var took = await redis.Multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"PING answered in {took.TotalMilliseconds:0} ms");
        }
        catch (RedisConnectionException e)
        {
            return HealthCheckResult.Unhealthy($"Redis is unreachable ({e.FailureType})");
        }
        catch (RedisTimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis did not answer PING in time");
        }
        catch (RedisServerException)
        {
            return HealthCheckResult.Unhealthy("Redis refused PING (loading or misconfigured)");
        }
    }
}

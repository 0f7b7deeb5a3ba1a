using StackExchange.Redis;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

public static class RedisHosting
{
    public sealed record Redis(ConfigurationOptions Options, RedisConnection Connection);

    public const string UrlVariable = "REDIS_URL";

    /// <summary>The node runs on Redis (clustering, storage, reminders), not on its embedded in-memory default.</summary>
    public static bool IsConfigured(IConfiguration config) => !string.IsNullOrEmpty(config[UrlVariable]);

    /// <summary>Registers the node's shared Redis connection when REDIS_URL is set; null when it is not.</summary>
    public static Redis? AddRedisConnection(this IServiceCollection services, IConfiguration config)
    {
        if (config[UrlVariable] is not { Length: > 0 } url) return null;
        var options = RedisUrl.Parse(url);
        var connection = new RedisConnection(options);
        services.AddSingleton(connection);
        services.AddSingleton(sp => sp.GetRequiredService<RedisConnection>().Multiplexer);
        return new Redis(options, connection);
    }
}

using StackExchange.Redis;

namespace AgentCluster.Silo.Hosting;

internal static class RedisHosting
{
    internal sealed record Redis(ConfigurationOptions Options, RedisConnection Connection);

    /// <summary>Registers the node's shared Redis connection when REDIS_URL is set; null when it is not.</summary>
    public static Redis? AddRedisConnection(this IServiceCollection services, IConfiguration config)
    {
        if (config["REDIS_URL"] is not { Length: > 0 } url) return null;
        var options = RedisUrl.Parse(url);
        var connection = new RedisConnection(options);
        services.AddSingleton(connection);
        services.AddSingleton(sp => sp.GetRequiredService<RedisConnection>().Multiplexer);
        return new Redis(options, connection);
    }
}

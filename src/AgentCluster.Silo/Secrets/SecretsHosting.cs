using AgentCluster.Silo.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using StackExchange.Redis;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Secrets;

public static class SecretsHosting
{
    /// <summary>The Redis key of the shared Data Protection key ring.</summary>
    public const string KeyRingKey = "agentcluster:dataprotection:keys";

    /// <summary>
    /// Data Protection for <see cref="SessionSecrets"/>. With Redis every node reads the same key ring, so a
    /// session moved to another node can still decrypt what it stored; without it the keys live as long as the
    /// process, and so does every session.
    /// </summary>
    public static IServiceCollection AddSessionSecrets(this IServiceCollection services, IConfiguration config)
    {
        services.AddDataProtection().SetApplicationName("agentcluster");
        if (RedisHosting.IsConfigured(config))
            services.AddOptions<KeyManagementOptions>().Configure<RedisConnection>((options, redis) =>
                options.XmlRepository = new RedisXmlRepository(() => redis.Multiplexer.GetDatabase(), new RedisKey(KeyRingKey)));
        else
            services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddSingleton<SessionSecrets>();
        return services;
    }
}

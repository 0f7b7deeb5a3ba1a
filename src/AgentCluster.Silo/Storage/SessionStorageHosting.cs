using AgentCluster.Silo.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Storage;

public static class SessionStorageHosting
{
    /// <summary>
    /// What sessions keep beside their grain state: the event log, the catalog and the reaper's schedule. In Redis
    /// with REDIS_URL (under the service's keys), so every node reads the same; else in this process's memory.
    /// </summary>
    public static IServiceCollection AddSessionStorage(this IServiceCollection services, IConfiguration config)
    {
        if (!RedisHosting.IsConfigured(config))
        {
            services.AddSingleton<ISessionEventLog, MemorySessionEventLog>();
            services.AddSingleton<ISessionCatalog, MemorySessionCatalog>();
            services.AddSingleton<IReaperSchedule, MemoryReaperSchedule>();
        }
        else
        {
            services.AddSingleton(sp => new RedisKeys(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
            services.AddSingleton<ISessionEventLog, RedisSessionEventLog>();
            services.AddSingleton<ISessionCatalog, RedisSessionCatalog>();
            services.AddSingleton<IReaperSchedule, RedisReaperSchedule>();
        }
        return services;
    }
}

using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Reaping;

public static class ReapingHosting
{
    /// <summary>
    /// The reaper's settings (section <c>Reaper</c>), checked when the node starts, and its shards. Its grains are
    /// Orleans'; its wake-up at start is the silo's (<see cref="ClusterHosting"/>), its schedule is stored with the sessions.
    /// </summary>
    public static IServiceCollection AddReaping(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ReaperOptions>().Bind(config.GetSection(ReaperOptions.Section)).ValidateRulesOnStart(o => o.Validate());
        services.AddSingleton<ReaperShards>();
        return services;
    }
}

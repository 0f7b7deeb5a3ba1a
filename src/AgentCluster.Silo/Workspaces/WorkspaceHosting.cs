using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Workspaces;

public static class WorkspaceHosting
{
    /// <summary>Workspaces: their volumes on Fly, which a workspace's grain creates and finds, and a session's hold on one (the grains and API are Orleans' and the front door's).</summary>
    public static IServiceCollection AddWorkspaces(this IServiceCollection services)
    {
        services.AddSingleton<WorkspaceVolumes>();
        services.AddSingleton<SessionWorkspaces>();
        return services;
    }
}

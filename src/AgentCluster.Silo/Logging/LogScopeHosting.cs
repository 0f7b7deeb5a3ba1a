using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Logging;

public static class LogScopeHosting
{
    /// <summary>Every call into a session's or a workspace's grain logs under its ids (<see cref="GrainLogScopes"/>).</summary>
    public static IServiceCollection AddGrainLogScopes(this IServiceCollection services)
    {
        services.AddSingleton<IIncomingGrainCallFilter, GrainLogScopes>();
        return services;
    }
}

using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Logging;

/// <summary>
/// Every call into a grain that has ids (a session, a workspace) runs inside a logging scope of them, so its
/// own lines and those of everything it calls (the Fly client's retries, storage, Orleans) carry them.
/// Logging scopes are shared by all loggers of the factory, so one scope here reaches all of them.
/// </summary>
public sealed class GrainLogScopes(ILogger<GrainLogScopes> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetContext.GrainInstance is not IHasLogScope scoped)
        {
            await context.Invoke();
            return;
        }
        using (logger.BeginScope(scoped.LogScope)) await context.Invoke();
    }
}

using AgentCluster.Silo.Api;
namespace AgentCluster.Silo.Sessions;

public static class EventRelayHosting
{
    /// <summary>The relay of a session's events to its clients as Server-Sent Events (<see cref="EventStream"/>), one per node.</summary>
    public static IServiceCollection AddEventRelay(this IServiceCollection services)
    {
        services.AddSingleton<SessionLogWatch>();
        services.AddSingleton<SseResponse>();
        services.AddSingleton<EventStream>();
        return services;
    }
}

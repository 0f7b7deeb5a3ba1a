using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Telemetry;

public static class SessionTelemetryHosting
{
    /// <summary>
    /// The sessions' own meter (<see cref="SessionMetrics"/>), counted whether or not anything exports it (see
    /// <see cref="TelemetryHosting"/>): the grains, the relay and the reaper record into it.
    /// </summary>
    public static IServiceCollection AddSessionTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<SessionMetrics>();
        return services;
    }
}

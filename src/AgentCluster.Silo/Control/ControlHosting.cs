namespace AgentCluster.Silo.Control;

public static class ControlHosting
{
    /// <summary>Reaching into sessions' machines: exec, files, archives (the agent's control server, see ControlProtocol).</summary>
    public static IServiceCollection AddMachineControl(this IServiceCollection services)
    {
        // No overall timeout: a download or a streamed exec lasts as long as it lasts; the connect is bounded, and each
        // call's own deadline (an exec's timeout) or the client going away ends it.
        services.AddHttpClient(AgentControlClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectTimeout = AgentControlClient.ConnectTimeout, UseProxy = false, AllowAutoRedirect = false });
        services.AddSingleton<AgentControlClient>();
        services.AddSingleton<MachineDoor>();
        services.AddSingleton<MachineExec>();
        services.AddSingleton<MachineRelay>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentCluster.Client;

public static class AgentClusterServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AgentClusterClient"/> as a typed client of <c>IHttpClientFactory</c>. Returns the builder,
    /// so callers can add handlers; a retry handler (e.g. AddStandardResilienceHandler) should not retry POSTs, which
    /// are not idempotent here (a message sent twice is two turns). The client's own timeout is off: event streams
    /// and execs run long; each call's CancellationToken bounds it.
    /// </summary>
    public static IHttpClientBuilder AddAgentClusterClient(this IServiceCollection services, Action<AgentClusterOptions> configure)
    {
        services.AddOptions<AgentClusterOptions>().Configure(configure);
        services.AddOptions<AgentClusterOptions>().Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "AgentCluster BaseAddress must be an absolute URL.");
        return services.AddHttpClient<AgentClusterClient, AgentClusterClient>((http, provider) =>
            {
                var options = provider.GetRequiredService<IOptions<AgentClusterOptions>>().Value;
                AgentClusterClient.Configure(http, options);
                return new AgentClusterClient(http, options, provider.GetService<TimeProvider>() ?? TimeProvider.System);
            });
    }
}

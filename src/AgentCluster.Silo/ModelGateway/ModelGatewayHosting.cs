using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.ModelGateway;

public static class ModelGatewayHosting
{
    /// <summary>How long the node waits to connect to the model API; an answer, once connected, may take as long as it takes.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The model gateway's relay and its client of the model API. The client has no overall timeout (HttpClient's
    /// default 100 s would cut a long stream or a long non-streaming answer): a call ends when the model ends it or
    /// the caller goes away (its own timeout: the SDKs' 10 minutes), and the relay is cancelled with the caller.
    /// No retries here either: Anthropic's clients retry themselves, and a retry here would double theirs.
    /// </summary>
    public static IServiceCollection AddModelGateway(this IServiceCollection services)
    {
        services.AddHttpClient(ModelRelay.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectTimeout = ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5), // DNS changes (a new upstream address) are seen within minutes
                AutomaticDecompression = System.Net.DecompressionMethods.None, // the meter reads the bytes as they come
            });
        services.AddSingleton<ModelRelay>();
        return services;
    }
}

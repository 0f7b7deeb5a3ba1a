using System.Net;
using Orleans.Configuration;
using StackExchange.Redis;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// The Orleans side of a node. Without REDIS_URL: the embedded default (localhost clustering, memory storage and
/// reminders). With it: Redis clustering, grain storage and reminders over one shared connection. Endpoints come
/// from the standard <c>Orleans:*</c> keys and bind and advertise loopback unless told otherwise.
/// </summary>
public static class ClusterHosting
{
    public const string StorageName = "sessions";

    public static WebApplicationBuilder AddClusterNode(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var redisUrl = config["REDIS_URL"];
        var siloPort = config.GetValue("Orleans:Endpoints:SiloPort", 11111);
        var gatewayPort = config.GetValue("Orleans:Endpoints:GatewayPort", 30000);
        var advertised = config["Orleans:Endpoints:AdvertisedIPAddress"] is { Length: > 0 } address
            ? IPAddress.Parse(address)
            : IPAddress.Loopback;

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = config["Orleans:ClusterId"] ?? "agentcluster";
                o.ServiceId = config["Orleans:ServiceId"] ?? "agentcluster";
            });
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = advertised;
                o.SiloPort = siloPort;
                o.GatewayPort = gatewayPort;
                o.SiloListeningEndpoint = new IPEndPoint(advertised, siloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(advertised, gatewayPort);
            });

            if (string.IsNullOrEmpty(redisUrl))
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort)
                    .AddMemoryGrainStorage(StorageName)
                    .AddMemoryGrainStorageAsDefault()
                    .UseInMemoryReminderService();
                return;
            }

            var redis = RedisUrl.Parse(redisUrl);
            var shared = new Lazy<Task<IConnectionMultiplexer>>(async () => await ConnectionMultiplexer.ConnectAsync(redis));
            async Task<(IConnectionMultiplexer, bool)> Shared(object _) => (await shared.Value, true);
            silo.UseRedisClustering(o => { o.ConfigurationOptions = redis; o.CreateMultiplexer = Shared; })
                .AddRedisGrainStorage(StorageName, o => { o.ConfigurationOptions = redis; o.CreateMultiplexer = Shared; })
                .AddRedisGrainStorageAsDefault(o => { o.ConfigurationOptions = redis; o.CreateMultiplexer = Shared; })
                .UseRedisReminderService(o => { o.ConfigurationOptions = redis; o.CreateMultiplexer = Shared; });
        });
        return builder;
    }
}

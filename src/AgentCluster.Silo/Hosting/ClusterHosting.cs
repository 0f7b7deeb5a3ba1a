using System.Net;
using System.Net.Sockets;
using AgentCluster.Silo.Dashboard;
using AgentCluster.Silo.Reaping;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// The Orleans side of a node. Without REDIS_URL: the embedded default (localhost clustering, memory storage and
/// reminders). With it: Redis clustering, grain storage and reminders over one shared connection. Endpoints come
/// from the standard <c>Orleans:*</c> keys and bind and advertise loopback unless told otherwise: listening on
/// every address of the advertised one's family takes <c>Orleans:Endpoints:ListenOnAnyHostAddress</c> (as
/// Orleans' own <c>ConfigureEndpoints</c> calls it), and <c>Orleans:SiloName</c> names the silo.
/// </summary>
public static class ClusterHosting
{
    public const string StorageName = "sessions";
    public const string AdvertisedAddressKey = "Orleans:Endpoints:AdvertisedIPAddress";
    public const string ListenOnAnyAddressKey = "Orleans:Endpoints:ListenOnAnyHostAddress";
    public const string SiloNameKey = "Orleans:SiloName";

    public static WebApplicationBuilder AddClusterNode(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var siloPort = config.GetValue("Orleans:Endpoints:SiloPort", 11111);
        var gatewayPort = config.GetValue("Orleans:Endpoints:GatewayPort", 30000);
        var advertised = config[AdvertisedAddressKey] is { Length: > 0 } address
            ? IPAddress.Parse(address)
            : IPAddress.Loopback;
        var listening = !config.GetValue(ListenOnAnyAddressKey, false) ? advertised
            : advertised.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        var redis = builder.Services.AddRedisConnection(config);

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
                o.SiloListeningEndpoint = new IPEndPoint(listening, siloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(listening, gatewayPort);
            });
            if (config[SiloNameKey] is { Length: > 0 } name) silo.Configure<SiloOptions>(o => o.SiloName = name);
            // Orleans 10 does not cancel a grain call that timed out unless asked: a caller that gave up
            // should not leave work running on its behalf.
            silo.Configure<SiloMessagingOptions>(o => o.CancelRequestOnTimeout = true);
            silo.AddStartupTask<ReaperStartup>();
            silo.AddStartupTask<Pool.PoolKeeper>();
            silo.AddOperatorDashboard(); // the Orleans Dashboard's silo side; mapped at /dashboard for operators
            // How fast a dead node is declared dead (Orleans:Membership:ProbeTimeout, NumMissedProbesLimit, …);
            // Orleans' defaults unless configured.
            silo.Services.Configure<ClusterMembershipOptions>(config.GetSection("Orleans:Membership"));
            // A Redis failure in a grain must reach its caller on another node as what it is (a 503 there), not
            // fail to serialize and leave the caller waiting out the call timeout.
            silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("StackExchange.Redis"));
            silo.AddIncomingGrainCallFilter<StorageFaults>();
            // A grain call joins its caller's trace, across nodes too (see Telemetry/TelemetryHosting.cs).
            silo.AddActivityPropagation();

            if (redis is null)
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort)
                    .AddMemoryGrainStorage(StorageName)
                    .UseInMemoryReminderService();
                return;
            }

            silo.UseRedisClustering(o => { o.ConfigurationOptions = redis.Options; o.CreateMultiplexer = redis.Connection.SharedAsync; })
                .AddRedisGrainStorage(StorageName, o =>
                {
                    o.ConfigurationOptions = redis.Options;
                    o.CreateMultiplexer = redis.Connection.SharedAsync;
                })
                .UseRedisReminderService(o => { o.ConfigurationOptions = redis.Options; o.CreateMultiplexer = redis.Connection.SharedAsync; });
            // Session state is stored with Orleans' own version-tolerant codec (the [Id]s of its
            // [GenerateSerializer] types), chosen once: changing it later needs a migration.
            silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        });
        return builder;
    }
}

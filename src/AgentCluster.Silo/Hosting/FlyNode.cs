using AgentCluster.Fly;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// A node in a Fly Machine, read from the variables Fly sets there, and the settings that makes of them: the
/// silo advertises the Machine's private (6PN) address and listens on every IPv6 address, and is named after
/// the Machine; HTTP listens on <c>[::]</c> (see <see cref="Auth.ListenAddresses"/>); agents call back through
/// the app's private name, which resolves to every running node, so any node can take over a session's agent.
/// All of them are defaults: whatever is configured explicitly (Orleans__Endpoints__*, AGENTCLUSTER_CALLBACK_URLS,
/// ASPNETCORE_URLS, …) wins. Outside a Fly Machine there is no FlyNode and nothing changes.
/// </summary>
public sealed record FlyNode(string MachineId, string PrivateIp, string AppName, string HttpPort)
{
    public const string DefaultHttpPort = "8080";

    /// <summary>Null outside a Fly Machine.</summary>
    public static FlyNode? Of(IConfiguration config) => FlyMachineEnvironment.IsFlyMachine(config)
        ? new FlyNode(
            config[FlyMachineEnvironment.MachineId]!,
            config[FlyMachineEnvironment.PrivateIp]!,
            config[FlyMachineEnvironment.AppName] ?? "",
            config["PORT"] is { Length: > 0 } port ? port : DefaultHttpPort)
        : null;

    public string HttpUrl => $"http://[::]:{HttpPort}";

    /// <summary>Every running Machine of the node's app, through Fly's internal DNS.</summary>
    public string CallbackUrl => $"http://{AppName}.internal:{HttpPort}";

    /// <summary>What this node sets, leaving out whatever the configuration already has.</summary>
    public Dictionary<string, string?> Settings(IConfiguration config)
    {
        var settings = new Dictionary<string, string?>
        {
            [ClusterHosting.AdvertisedAddressKey] = PrivateIp,
            [ClusterHosting.ListenOnAnyAddressKey] = "true",
            [ClusterHosting.SiloNameKey] = MachineId,
        };
        if (AppName.Length > 0 && !config.GetSection("Sessions:CallbackUrls").Exists()) settings[AgentSessionOptions.CallbackUrlsVariable] = CallbackUrl;
        return settings.Where(s => string.IsNullOrEmpty(config[s.Key])).ToDictionary();
    }

    /// <summary>
    /// In a Fly Machine, adds its <see cref="Settings"/> to the node's configuration, and requires what the
    /// embedded default would otherwise stand in for: a node there must drive real Fly Machines (not start
    /// agents inside itself) and share Redis with the other nodes (not form a cluster of one).
    /// </summary>
    public static void Apply(WebApplicationBuilder builder)
    {
        if (Of(builder.Configuration) is not { } node) return;
        builder.Configuration.AddInMemoryCollection(node.Settings(builder.Configuration));
        builder.Services.AddOptions<Requirements>().ValidateRulesOnStart(_ => Missing(builder.Configuration));
    }

    private static IEnumerable<string> Missing(IConfiguration config)
    {
        if (string.IsNullOrEmpty(config["FLY_API_TOKEN"]))
            yield return "FLY_API_TOKEN is required in a Fly Machine (fly secrets set FLY_API_TOKEN=\"$(fly tokens create deploy -a <agent app>)\").";
        if (!RedisHosting.IsConfigured(config))
            yield return "REDIS_URL is required in a Fly Machine: the nodes cluster, store sessions and keep reminders in Redis.";
    }

    private sealed class Requirements;
}

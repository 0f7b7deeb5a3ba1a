using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Webhooks;

public static class WebhooksHosting
{
    /// <summary>
    /// Webhooks (section <c>Webhooks</c>, checked when the node starts): the address policy (loopback targets only
    /// for a node that itself listens only on loopback), the sender's guarded HTTP client, the secrets' protector.
    /// Needs <see cref="Secrets.SecretsHosting.AddSessionSecrets"/> (the Data Protection key ring).
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<WebhookOptions>().Bind(config.GetSection(WebhookOptions.Section)).ValidateRulesOnStart(o => o.Validate());
        var loopbackNode = !ListenAddresses.Of(config).Any(ListenAddresses.IsBeyondLoopback) && FlyNode.Of(config) is null;
        services.AddSingleton(sp => new WebhookAddressPolicy(loopbackNode, sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowedTargets));
        services.AddSingleton<WebhookTargets>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookMetrics>();
        services.AddHttpClient(WebhookSender.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookSender.Handler(sp.GetRequiredService<WebhookAddressPolicy>()))
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan); // each attempt has its own deadline (AttemptTimeout)
        return services;
    }
}

using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Authentication;

namespace AgentCluster.Silo.Auth;

/// <summary>
/// The public API's authentication: <see cref="ApiKeyAuthenticationHandler"/> behind the policy
/// <see cref="Policy"/>, which <c>/sessions</c> requires. It is no default scheme, so the agent protocol
/// (its own per-session tokens) and <c>/health</c> never run it.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Policy = "api-key";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ApiKeyOptions>()
            .Bind(config.GetSection(ApiKeyOptions.Section))
            .ValidateRulesOnStart(o => o.Validate().Concat(ExposedWithoutKeys(o, config)));
        // A lone scheme would otherwise become the default one, and authenticate every agent call too.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        return services;
    }

    /// <summary>A node anyone on the network could reach must not run sessions for anyone who asks.</summary>
    private static IEnumerable<string> ExposedWithoutKeys(ApiKeyOptions options, IConfiguration config)
    {
        if (options.Enabled) yield break;
        var exposed = ListenAddresses.Of(config).Where(ListenAddresses.IsBeyondLoopback).ToList();
        if (exposed.Count == 0) yield break;
        yield return $"This node would listen on {string.Join(", ", exposed)}, beyond loopback, with no API keys: anyone who reaches it " +
            "could run sessions. Set at least one key as Auth__ApiKeys__<name>=<SHA-256 of the key in hex> " +
            "(printf %s \"$KEY\" | sha256sum), or listen on loopback only (PORT=8080, or ASPNETCORE_URLS=http://127.0.0.1:8080).";
    }
}

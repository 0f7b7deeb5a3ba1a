using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using Microsoft.AspNetCore.Authentication;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Auth;

/// <summary>
/// The public API's authentication: <see cref="ApiKeyAuthenticationHandler"/> behind the policy
/// <see cref="Policy"/>, which <c>/sessions</c> requires. It is no default scheme, so the agent protocol
/// (its own per-session tokens) and <c>/health</c> never run it. <see cref="OperatorPolicy"/> guards the node's own
/// tools, for the keys named in <c>Auth:Operators</c>.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Policy = "api-key";

    /// <summary>The node's own tools (the Orleans Dashboard): an API key named in <c>Auth:Operators</c>.</summary>
    public const string OperatorPolicy = "operator";

    /// <summary>The role an operator's principal carries (<see cref="ApiKeyOptions.IsOperator"/>).</summary>
    public const string OperatorRole = "operator";

    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ApiKeyOptions>()
            .Bind(config.GetSection(ApiKeyOptions.Section))
            .Configure(o => o.AddOperators(config[$"{ApiKeyOptions.Section}:{nameof(ApiKeyOptions.Operators)}"]))
            .ValidateRulesOnStart(o => o.Validate().Concat(ExposedWithoutKeys(o, config)));
        // A lone scheme would otherwise become the default one, and authenticate every agent call too.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddScheme<ApiKeySchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(OperatorPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(OperatorRole));
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

using AgentCluster.Silo.Auth;
using Orleans.Dashboard;

namespace AgentCluster.Silo.Dashboard;

/// <summary>
/// The Orleans Dashboard at <see cref="Prefix"/>, for operators only: on a node with API keys, the keys named in
/// <c>Auth:Operators</c> (others get 403, no key 401); on a loopback node without keys, anyone, like the rest of
/// the API. Every route under the prefix (the page, its scripts and the JSON it polls) is behind the same policy.
/// A browser cannot send a bearer header from its address bar, so here the key may also come as HTTP Basic
/// (user: the key's name, password: the key), which the 401 asks the browser for.
/// </summary>
public static class OperatorDashboard
{
    public const string Prefix = "/dashboard";

    /// <summary>The dashboard's silo side (its grains and the statistics they gather).</summary>
    public static ISiloBuilder AddOperatorDashboard(this ISiloBuilder silo)
    {
        silo.AddDashboard();
        silo.Services.Configure<ApiKeySchemeOptions>(ApiKeyAuthenticationHandler.SchemeName, o => o.BasicPaths.Add(Prefix));
        return silo;
    }

    public static IEndpointConventionBuilder MapOperatorDashboard(this IEndpointRouteBuilder routes) =>
        routes.MapOrleansDashboard(Prefix)
            .RequireAuthorization(ApiKeyAuthentication.OperatorPolicy)
            .ExcludeFromDescription();
}

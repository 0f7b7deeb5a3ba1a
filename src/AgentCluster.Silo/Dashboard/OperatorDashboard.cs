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

    public const int CounterUpdateInterval = 10_000;

    /// <summary>The dashboard's silo side (its grains and the statistics they gather).</summary>
    public static ISiloBuilder AddOperatorDashboard(this ISiloBuilder silo)
    {
        // The dashboard samples Orleans' counters on its own, watched or not, and one sample walks the grain directory
        // cache: at its 1 s default that was ~5 % of a busy node's CPU (BENCHMARKS.md, "Where the time goes"). Every
        // 10 s keeps the charts (100 samples: about 17 minutes of history) at a tenth of the cost.
        silo.AddDashboard(o => o.CounterUpdateIntervalMs = CounterUpdateInterval);
        silo.Services.Configure<ApiKeySchemeOptions>(ApiKeyAuthenticationHandler.SchemeName, o => o.BasicPaths.Add(Prefix));
        return silo;
    }

    public static IEndpointConventionBuilder MapOperatorDashboard(this IEndpointRouteBuilder routes) =>
        routes.MapOrleansDashboard(Prefix)
            .RequireAuthorization(ApiKeyAuthentication.OperatorPolicy)
            .ExcludeFromDescription();
}

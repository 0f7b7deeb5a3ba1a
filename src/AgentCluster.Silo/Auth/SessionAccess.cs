using System.Security.Claims;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Auth;

/// <summary>
/// A caller reaches only the sessions its API key created. Another owner's session is answered exactly as a
/// missing one (the same 404, after the same one grain call), so ids cannot be probed across keys.
/// </summary>
public static class SessionAccess
{
    /// <summary>The owner the caller acts as: its API key's name (see <see cref="ApiKeyAuthenticationHandler"/>).</summary>
    public static string Owner(this ClaimsPrincipal caller) =>
        caller.Identity?.Name ?? throw new InvalidOperationException("The sessions API runs only behind the API key policy.");

    public static async Task<(ISessionGrain Grain, SessionView View)> OwnedAsync(this IGrainFactory grains, string id, string owner)
    {
        var grain = grains.Session(SessionIds.Check(id));
        return await grain.GetAsync() is { } view && view.Owner == owner ? (grain, view) : throw SessionException.NotFound(id);
    }
}

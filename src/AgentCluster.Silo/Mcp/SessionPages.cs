using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Mcp;

/// <summary>A page of the owner's sessions as <c>GET /sessions</c> lists them: the catalog's ids, each session's view, the owner's only.</summary>
public static class SessionPages
{
    /// <exception cref="SessionException">The cursor is not one the catalog gave out (Invalid, field cursor).</exception>
    public static async Task<SessionList> ListAsync(ISessionCatalog catalog, IGrainFactory grains, string owner, string? cursor, int limit)
    {
        CatalogPage page;
        try { page = await catalog.ListAsync(owner, cursor, limit); }
        catch (ArgumentException e) { throw SessionException.Invalid("cursor", e.Message); }
        var views = await Task.WhenAll(page.SessionIds.Select(id => grains.Session(id).GetAsync()));
        return new SessionList(views.Where(v => v?.Owner == owner).OfType<SessionView>().ToList(), page.NextCursor);
    }
}

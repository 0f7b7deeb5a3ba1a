namespace AgentCluster.Silo.Storage;

public sealed class MemorySessionCatalog : ISessionCatalog
{
    private readonly SortedSet<string> entries = new(StringComparer.Ordinal);

    public Task AddAsync(string sessionId, DateTimeOffset createdAt)
    {
        lock (entries) entries.Add(CatalogEntry.Of(sessionId, createdAt));
        return Task.CompletedTask;
    }

    public Task<CatalogPage> ListAsync(string? cursor, int limit)
    {
        var before = CatalogEntry.FromCursor(cursor);
        lock (entries)
        {
            var page = entries.Reverse().Where(e => before is null || string.CompareOrdinal(e, before) < 0).Take(limit + 1).ToList();
            return Task.FromResult(Page(page, limit));
        }
    }

    internal static CatalogPage Page(IReadOnlyList<string> entriesPlusOne, int limit)
    {
        var page = entriesPlusOne.Take(limit).ToList();
        var next = entriesPlusOne.Count > limit ? CatalogEntry.ToCursor(page[^1]) : null;
        return new CatalogPage(page.Select(CatalogEntry.IdOf).ToList(), next);
    }
}

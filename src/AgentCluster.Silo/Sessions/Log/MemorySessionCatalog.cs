namespace AgentCluster.Silo.Sessions;

public sealed class MemorySessionCatalog : ISessionCatalog
{
    private readonly Dictionary<string, SortedSet<string>> owners = new(StringComparer.Ordinal);

    public Task AddAsync(string owner, string sessionId, DateTimeOffset createdAt)
    {
        lock (owners)
        {
            if (!owners.TryGetValue(owner, out var entries)) owners[owner] = entries = new SortedSet<string>(StringComparer.Ordinal);
            entries.Add(CatalogEntry.Of(sessionId, createdAt));
        }
        return Task.CompletedTask;
    }

    public Task<CatalogPage> ListAsync(string owner, string? cursor, int limit)
    {
        var before = CatalogEntry.FromCursor(cursor);
        lock (owners)
        {
            if (!owners.TryGetValue(owner, out var entries)) return Task.FromResult(new CatalogPage([], null));
            // Entries start with a digit, so "" sorts below all of them; the cursor's own entry is excluded.
            var older = before is null ? entries : entries.GetViewBetween("", before);
            var page = older.Reverse().Where(e => e != before).Take(limit + 1).ToList();
            return Task.FromResult(Page(page, limit));
        }
    }

    internal static CatalogPage Page(IReadOnlyList<string> entriesPlusOne, int limit)
    {
        var page = entriesPlusOne.Take(limit).ToList();
        var next = entriesPlusOne.Count > limit ? CatalogEntry.ToCursor(page[^1]) : null;
        return new CatalogPage(page.Select(CatalogEntry.IdOf).ToList(), next) { CreatedAt = page.Select(CatalogEntry.CreatedAtOf).ToList() };
    }
}

using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// Which of an owner's sessions a sweep hands to its subscriptions: the backstop for a lost first poke (the node
/// died after a session's append but before its poke reached the owner's grain, and no subscription knew the
/// session). It walks the owner's catalog newest first, down to the sessions made <see cref="WebhookOptions.SweepWindow"/>
/// ago, at most <see cref="WebhookOptions.SweepBatch"/> entries a tick; a tick that stops at its budget leaves its
/// place for the next, which goes on from there, and reaching the window's end (or the catalog's) starts over at
/// the newest. Handing a session over twice is harmless: a subscription reads a session's log only from its cursor.
/// </summary>
public sealed class WebhookSweep(WebhookOptions options, TimeProvider time)
{
    /// <summary>Where the last tick stopped in the catalog; null: the next tick starts at the newest session.</summary>
    public string? Cursor { get; private set; }

    /// <param name="list">The owner's catalog: a page of at most the given size older than the given cursor (null: from the newest).</param>
    public async Task<IReadOnlyList<string>> NextAsync(Func<string?, int, Task<CatalogPage>> list)
    {
        var since = time.GetUtcNow() - options.SweepWindow;
        var picked = new List<string>();
        var read = 0;
        while (read < options.SweepBatch)
        {
            var page = await list(Cursor, options.SweepBatch - read);
            read += page.SessionIds.Count;
            for (var i = 0; i < page.SessionIds.Count; i++)
            {
                if (page.CreatedAt[i] < since) return StartOver(picked); // newest first: everything after it is older still
                picked.Add(page.SessionIds[i]);
            }
            if (page.NextCursor is null) return StartOver(picked);
            Cursor = page.NextCursor;
        }
        return picked;
    }

    private List<string> StartOver(List<string> picked)
    {
        Cursor = null;
        return picked;
    }
}

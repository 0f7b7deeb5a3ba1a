namespace AgentCluster.Silo.Webhooks;

/// <summary>One owner's (API key's) webhook subscriptions (key: the owner): the list, and the fan-out of sessions' pokes.</summary>
[Alias("AgentCluster.IWebhookOwnerGrain")]
public interface IWebhookOwnerGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(string id, IReadOnlyList<string> events, int max);

    [Alias("Remove")]
    Task<bool> RemoveAsync(string id);

    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>Passes a session's poke to every subscription of the owner (cheap when there is none: no state read beyond activation).</summary>
    [Alias("SessionAdvanced"), Orleans.Concurrency.OneWay]
    Task SessionAdvancedAsync(string sessionId, long lastSeq);
}

namespace AgentCluster.Silo.Webhooks;

/// <summary>One webhook subscription (key: its id, <c>whk_…</c>): what it is, and its durable delivery queue.</summary>
[Alias("AgentCluster.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Makes the subscription (its secret already encrypted); idempotent for the same owner.</summary>
    [Alias("Create")]
    Task<WebhookView> CreateAsync(string owner, string url, IReadOnlyList<string> events, string protectedSecret);

    /// <summary>The subscription as its owner sees it; null when it does not exist.</summary>
    [Alias("Get")]
    Task<WebhookView?> GetAsync();

    /// <summary>Forgets the subscription and its queue (what is queued is not delivered).</summary>
    [Alias("Delete")]
    Task DeleteAsync();

    /// <summary>
    /// A session's log has events up to <paramref name="lastSeq"/>: the subscription reads what it has not yet
    /// seen, queues what it subscribes to and delivers it. Idempotent (its cursor makes a repeat a no-op).
    /// </summary>
    [Alias("SessionAdvanced")]
    Task SessionAdvancedAsync(string sessionId, long lastSeq);

    /// <summary>
    /// The owner's sweep: of these sessions, those whose end it has not read are read past its cursor (from the
    /// start for one it never heard of: its first poke may have been lost). One log read each; finished ones cost nothing.
    /// </summary>
    [Alias("Sweep")]
    Task SweepAsync(IReadOnlyList<string> sessionIds);
}

/// <summary>A subscription as the API shows it: never its secret (<see cref="Secret"/> only in the answer to its creation).</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.WebhookView")]
public sealed record WebhookView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Url { get; init; }
    [Id(2)] public required IReadOnlyList<string> Events { get; init; }
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public int Pending { get; init; }
    [Id(5)] public long DeliveredTotal { get; init; }
    [Id(6)] public long FailedTotal { get; init; }
    [Id(7)] public string? LastError { get; init; }
    [Id(8)] public DateTimeOffset? LastDeliveredAt { get; init; }
    [Id(9)] public string? Owner { get; init; }

    /// <summary>The signing secret, <c>whsec_…</c>: only in the answer to the POST that made it.</summary>
    [Id(10)] public string? Secret { get; init; }
}

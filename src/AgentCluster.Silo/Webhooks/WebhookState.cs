namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// What one subscription persists: what it is, how far it has read each session's log, and its queue of
/// deliveries. No secret in clear: the signing secret only as Data Protection ciphertext.
/// </summary>
[GenerateSerializer, Alias("AgentCluster.WebhookState")]
public sealed class WebhookState
{
    [Id(0)] public string? Owner { get; set; }
    [Id(1)] public string Url { get; set; } = "";
    [Id(2)] public List<string> Events { get; set; } = [];
    [Id(3)] public string ProtectedSecret { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Per session: the last sequence number looked at (an event at or below it is never queued again).</summary>
    [Id(5)] public Dictionary<string, SessionCursor> Cursors { get; set; } = [];

    /// <summary>Deliveries in the order their events were written; the head is the only one tried.</summary>
    [Id(6)] public List<WebhookDelivery> Queue { get; set; } = [];

    [Id(7)] public long DeliveredTotal { get; set; }
    [Id(8)] public long FailedTotal { get; set; }
    [Id(9)] public string? LastError { get; set; }
    [Id(10)] public DateTimeOffset? LastDeliveredAt { get; set; }
}

/// <summary>How far a subscription has read one session's log; <see cref="EndedAt"/> once it read the session's end.</summary>
[GenerateSerializer, Alias("AgentCluster.WebhookSessionCursor")]
public sealed record SessionCursor([property: Id(0)] long Seq, [property: Id(1)] DateTimeOffset? EndedAt = null);

/// <summary>
/// One event to deliver: a reference to it in its session's log (the body is made again from the log at each
/// attempt, the same bytes each time), its webhook type, and how its attempts went.
/// </summary>
[GenerateSerializer, Alias("AgentCluster.WebhookDelivery")]
public sealed record WebhookDelivery
{
    [Id(0)] public required string SessionId { get; init; }
    [Id(1)] public required long Seq { get; init; }
    [Id(2)] public required string Type { get; init; }
    [Id(3)] public int Attempts { get; init; }
    [Id(4)] public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>The Standard Webhooks message id: the same for every attempt, so a receiver can drop repeats.</summary>
    public string WebhookId => $"msg_{SessionId}_{Seq}";
}

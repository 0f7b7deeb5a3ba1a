namespace AgentCluster.Fly.Models;

/// <summary>
/// The lease endpoints answer in an envelope, <c>{"status":"success","data":{…}}</c>, not the spec's flat
/// <c>Lease</c> (API-NOTES §2.3; errors come as <c>{"status":"error","message":"…"}</c>).
/// </summary>
public sealed record FlyEnvelope<T>
{
    public string? Status { get; init; }
    public T? Data { get; init; }
    public string? Message { get; init; }
    public string? Code { get; init; }
}

public sealed record Lease
{
    public required string Nonce { get; init; }

    /// <summary>Unix seconds.</summary>
    public long ExpiresAt { get; init; }

    public string? Owner { get; init; }
    public string? Description { get; init; }

    /// <summary>The machine version the lease was taken on.</summary>
    public string? Version { get; init; }
}

public sealed record CreateLeaseRequest
{
    /// <summary>Seconds.</summary>
    public int? Ttl { get; init; }

    public string? Description { get; init; }
}

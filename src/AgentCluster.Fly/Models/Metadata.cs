namespace AgentCluster.Fly.Models;

/// <summary>Spec <c>metadataValueResponse</c> / <c>upsertMetadataKeyRequest</c>.</summary>
public sealed record MetadataValue
{
    public string? Value { get; init; }
    public string? UpdatedAt { get; init; }
}

/// <summary>Spec <c>updateMetadataRequest</c>: a null or empty value removes the key.</summary>
public sealed record UpdateMetadataRequest
{
    public required Dictionary<string, string?> Metadata { get; init; }

    /// <summary>When set, Fly answers 412 if the machine's version changed.</summary>
    public string? MachineVersion { get; init; }

    public string? UpdatedAt { get; init; }
}

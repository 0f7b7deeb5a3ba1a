using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Fly.Json;

namespace AgentCluster.Fly.Models;

/// <summary>Spec <c>Machine</c> plus the fields fly-go reads that the spec lacks (<c>version</c>, <c>cordoned</c>).</summary>
public sealed record Machine
{
    public required string Id { get; init; }
    public string? Name { get; init; }

    /// <summary>A string, not an enum: Fly adds states (see <see cref="MachineStates"/>).</summary>
    public string? State { get; init; }

    public string? Region { get; init; }
    public ImageRef? ImageRef { get; init; }
    public string? InstanceId { get; init; }
    public string? Version { get; init; }
    public string? PrivateIp { get; init; }

    [JsonConverter(typeof(Rfc3339Converter))]
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonConverter(typeof(Rfc3339Converter))]
    public DateTimeOffset? UpdatedAt { get; init; }

    public MachineConfig? Config { get; init; }
    public MachineConfig? IncompleteConfig { get; init; }
    public IReadOnlyList<MachineEvent>? Events { get; init; }
    public IReadOnlyList<CheckStatus>? Checks { get; init; }

    /// <summary>The lease nonce, present only on a create that asked for <c>lease_ttl</c>.</summary>
    public string? Nonce { get; init; }

    public string? HostStatus { get; init; }
    public bool? Cordoned { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record ImageRef
{
    public string? Registry { get; init; }
    public string? Repository { get; init; }
    public string? Tag { get; init; }
    public string? Digest { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
}

public sealed record CheckStatus
{
    public string? Name { get; init; }
    public string? Status { get; init; }
    public string? Output { get; init; }
    public string? UpdatedAt { get; init; }
}

public sealed record MachineVersion
{
    public string? Version { get; init; }
    public MachineConfig? UserConfig { get; init; }
}

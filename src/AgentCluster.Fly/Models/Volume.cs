using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Fly.Json;

namespace AgentCluster.Fly.Models;

/// <summary>
/// Spec <c>Volume</c>: a disk in one region (on one host), mounted by at most one machine at a time
/// (<see cref="MachineMount"/>). Names are not unique: an app may have several volumes of one name.
/// </summary>
public sealed record Volume
{
    public required string Id { get; init; }
    public string? Name { get; init; }

    /// <summary>A string, not an enum: see <see cref="VolumeStates"/>.</summary>
    public string? State { get; init; }

    public int? SizeGb { get; init; }
    public string? Region { get; init; }
    public string? Zone { get; init; }
    public bool? Encrypted { get; init; }
    public string? AttachedMachineId { get; init; }
    public string? AttachedAllocId { get; init; }

    [JsonConverter(typeof(Rfc3339Converter))]
    public DateTimeOffset? CreatedAt { get; init; }

    public long? Blocks { get; init; }
    public long? BlockSize { get; init; }
    public long? BlocksFree { get; init; }
    public long? BlocksAvail { get; init; }
    public long? BytesUsed { get; init; }
    public long? BytesTotal { get; init; }
    public string? Fstype { get; init; }
    public int? SnapshotRetention { get; init; }
    public bool? AutoBackupEnabled { get; init; }

    /// <summary><c>ok</c>, <c>unknown</c> or <c>unreachable</c>.</summary>
    public string? HostStatus { get; init; }

    /// <summary><c>local</c> or <c>cache</c>.</summary>
    public string? Type { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

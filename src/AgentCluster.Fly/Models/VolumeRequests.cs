namespace AgentCluster.Fly.Models;

/// <summary>
/// Spec <c>CreateVolumeRequest</c>. Fly's rules: <c>name</c> is lower-case letters, digits and '_', at most 30
/// characters; <c>size_gb</c> 1–500. Not idempotent (names are not unique): a caller whose create got no answer
/// lists the volumes by name before creating again.
/// </summary>
public sealed record CreateVolumeRequest
{
    public required string Name { get; init; }
    public string? Region { get; init; }
    public int? SizeGb { get; init; }
    public bool? Encrypted { get; init; }
    public string? Fstype { get; init; }
    public bool? RequireUniqueZone { get; init; }
    public bool? UniqueZoneAppWide { get; init; }

    /// <summary>Restore from this snapshot.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>Fork this volume.</summary>
    public string? SourceVolumeId { get; init; }

    public int? SnapshotRetention { get; init; }

    /// <summary>Scheduled snapshots; Fly's default is true.</summary>
    public bool? AutoBackupEnabled { get; init; }

    public MachineGuest? Compute { get; init; }
    public string? ComputeImage { get; init; }
}

/// <summary>Spec <c>UpdateVolumeRequest</c>.</summary>
public sealed record UpdateVolumeRequest
{
    public bool? AutoBackupEnabled { get; init; }
    public int? SnapshotRetention { get; init; }
}

/// <summary>Spec <c>ExtendVolumeRequest</c>: the new, larger size.</summary>
public sealed record ExtendVolumeRequest
{
    public required int SizeGb { get; init; }
}

/// <summary>Spec <c>ExtendVolumeResponse</c>: whether the attached machine must restart to see the new size.</summary>
public sealed record ExtendVolumeResponse
{
    public bool? NeedsRestart { get; init; }
    public Volume? Volume { get; init; }
}

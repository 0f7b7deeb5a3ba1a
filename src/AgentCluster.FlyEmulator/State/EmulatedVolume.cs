using AgentCluster.Fly.Models;

namespace AgentCluster.FlyEmulator.State;

/// <summary>
/// One volume: a directory under the emulator's data folder that outlives the machines mounting it. Its
/// mutable fields change only under <c>VolumeLifecycle</c>'s lock.
/// </summary>
internal sealed class EmulatedVolume
{
    private const long BlockSize = 4096;

    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Region { get; init; }
    public required string Zone { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string Directory { get; init; }
    public required bool Encrypted { get; init; }
    public required string Fstype { get; init; }

    public required int SizeGb { get; set; }
    public required int SnapshotRetention { get; set; }
    public required bool AutoBackupEnabled { get; set; }
    public string State { get; set; } = VolumeStates.Created;

    /// <summary>The machine (not destroyed) whose config mounts it; null when free.</summary>
    public string? AttachedMachineId { get; set; }

    public Volume ToVolume(bool summary = false)
    {
        var blocks = SizeGb * (1L << 30) / BlockSize;
        return new Volume
        {
            Id = Id,
            Name = Name,
            State = State,
            SizeGb = SizeGb,
            Region = Region,
            Zone = Zone,
            Encrypted = Encrypted,
            AttachedMachineId = AttachedMachineId,
            AttachedAllocId = AttachedMachineId,
            CreatedAt = CreatedAt,
            Fstype = Fstype,
            SnapshotRetention = SnapshotRetention,
            AutoBackupEnabled = AutoBackupEnabled,
            HostStatus = "ok",
            Type = "local",
            BlockSize = summary ? null : BlockSize,
            Blocks = summary ? null : blocks,
            BlocksFree = summary ? null : blocks,
            BlocksAvail = summary ? null : blocks,
            BytesTotal = summary ? null : blocks * BlockSize,
            BytesUsed = summary ? null : 0,
        };
    }
}

using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.State;
using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// Volumes and Fly's rules for them: a name of lower-case letters, digits and '_' (at most 30), 1–500 GB,
/// mounted by at most one machine (not destroyed) at a time and only by a machine in its region, deleted
/// only while no such machine mounts it. Destroying a machine frees its volume. One lock for all of it:
/// volume calls are rare, and a machine's lock may be held while taking it (never the other way round).
/// </summary>
internal sealed partial class VolumeLifecycle(EmulatorStore store, IOptions<EmulatorOptions> options, TimeProvider time, ILogger<VolumeLifecycle> logger)
{
    public const int MinSizeGb = 1;
    public const int MaxSizeGb = 500;
    private const int DefaultSnapshotRetention = 5;

    private readonly Lock sync = new();

    public Volume Create(EmulatedApp app, CreateVolumeRequest request)
    {
        if (string.IsNullOrEmpty(request.Name)) throw FlyError.BadRequest("name is required");
        if (!NamePattern().IsMatch(request.Name))
            throw FlyError.BadRequest($"invalid volume name '{request.Name}': use only lowercase letters, numbers and underscores, at most 30 characters");
        // flyctl's default size; the API documents none.
        var size = request.SizeGb ?? MinSizeGb;
        CheckSize(size);
        CheckRetention(request.SnapshotRetention);
        if (request.SnapshotId is not null || request.SourceVolumeId is not null)
            throw FlyError.BadRequest("the emulator does not restore snapshots or fork volumes");

        var id = FlyIds.VolumeId();
        var volume = new EmulatedVolume
        {
            Id = id,
            Name = request.Name,
            Region = string.IsNullOrWhiteSpace(request.Region) ? options.Value.Region : request.Region,
            Zone = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)),
            CreatedAt = time.GetUtcNow(),
            Directory = store.VolumeDirectory(app.Name, id),
            Encrypted = request.Encrypted ?? true,
            Fstype = request.Fstype ?? "ext4",
            SizeGb = size,
            SnapshotRetention = request.SnapshotRetention ?? DefaultSnapshotRetention,
            AutoBackupEnabled = request.AutoBackupEnabled ?? true,
        };
        Directory.CreateDirectory(volume.Directory);
        lock (sync)
        {
            app.Volumes[id] = volume;
            return volume.ToVolume();
        }
    }

    public List<Volume> List(EmulatedApp app, bool summary)
    {
        lock (sync) return app.Volumes.Values.OrderBy(v => v.CreatedAt).ThenBy(v => v.Id).Select(v => v.ToVolume(summary)).ToList();
    }

    public Volume Get(EmulatedVolume volume)
    {
        lock (sync) return volume.ToVolume();
    }

    public Volume Update(EmulatedVolume volume, UpdateVolumeRequest request)
    {
        CheckRetention(request.SnapshotRetention);
        lock (sync)
        {
            volume.SnapshotRetention = request.SnapshotRetention ?? volume.SnapshotRetention;
            volume.AutoBackupEnabled = request.AutoBackupEnabled ?? volume.AutoBackupEnabled;
            return volume.ToVolume();
        }
    }

    /// <summary>Grows the volume. A directory has no size to grow, so nothing needs a restart.</summary>
    public ExtendVolumeResponse Extend(EmulatedVolume volume, int sizeGb)
    {
        CheckSize(sizeGb);
        lock (sync)
        {
            if (sizeGb <= volume.SizeGb)
                throw FlyError.BadRequest($"size_gb {sizeGb} must be larger than the volume's current size of {volume.SizeGb} GB");
            volume.SizeGb = sizeGb;
            return new ExtendVolumeResponse { NeedsRestart = false, Volume = volume.ToVolume() };
        }
    }

    /// <summary>Destroys the volume and its data; refused while a machine mounts it.</summary>
    public Volume Delete(EmulatedApp app, EmulatedVolume volume)
    {
        Volume answer;
        lock (sync)
        {
            if (volume.AttachedMachineId is { } machine)
                throw FlyError.FailedPrecondition($"volume is currently bound to machine: {machine}");
            app.Volumes.TryRemove(volume.Id, out _);
            volume.State = VolumeStates.Destroyed;
            answer = volume.ToVolume();
        }
        DeleteDirectory(volume.Directory);
        return answer;
    }

    /// <summary>Every volume of an app that is itself being deleted.</summary>
    public void DeleteAll(EmulatedApp app)
    {
        List<EmulatedVolume> volumes;
        lock (sync)
        {
            volumes = app.Volumes.Values.ToList();
            app.Volumes.Clear();
        }
        foreach (var volume in volumes) DeleteDirectory(volume.Directory);
    }

    /// <summary>
    /// Mounts <paramref name="mounts"/>' volumes on the machine (created or updated with this config) and frees
    /// the ones it no longer mounts. All or nothing: a volume that is missing, in another region or mounted
    /// by another machine refuses the whole config.
    /// </summary>
    public void Attach(EmulatedApp app, string machineId, string region, IReadOnlyList<MachineMount>? mounts)
    {
        lock (sync)
        {
            var wanted = new List<EmulatedVolume>();
            foreach (var (mount, i) in (mounts ?? []).Select((m, i) => (m, i)))
            {
                var volume = app.Volumes.GetValueOrDefault(mount.Volume!)
                    ?? throw FlyError.BadRequest($"invalid config.mounts[{i}]: volume {mount.Volume} not found in app {app.Name}");
                if (volume.Region != region)
                    throw FlyError.BadRequest($"invalid config.mounts[{i}]: volume {volume.Id} is in region {volume.Region}, the machine in {region}");
                if (volume.AttachedMachineId is { } other && other != machineId)
                    throw FlyError.FailedPrecondition($"volume {volume.Id} is already attached to machine {other}");
                wanted.Add(volume);
            }
            foreach (var volume in app.Volumes.Values.Where(v => v.AttachedMachineId == machineId && !wanted.Contains(v)))
                volume.AttachedMachineId = null;
            foreach (var volume in wanted) volume.AttachedMachineId = machineId;
        }
    }

    /// <summary>The machine is destroyed (or was never added): its volume is free for another.</summary>
    public void Detach(EmulatedApp app, string machineId) => Attach(app, machineId, region: "", mounts: null);

    private static void CheckSize(int sizeGb)
    {
        if (sizeGb is < MinSizeGb or > MaxSizeGb)
            throw FlyError.BadRequest($"size_gb must be between {MinSizeGb} and {MaxSizeGb}, not {sizeGb}");
    }

    private static void CheckRetention(int? days)
    {
        if (days is < 1 or > 60) throw FlyError.BadRequest($"snapshot_retention must be between 1 and 60 days, not {days}");
    }

    private void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotDeleted(path, e.Message);
        }
    }

    [GeneratedRegex("^[a-z0-9_]{1,30}$")]
    private static partial Regex NamePattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete volume folder {Path}: {Reason}")]
    private partial void LogNotDeleted(string path, string reason);
}

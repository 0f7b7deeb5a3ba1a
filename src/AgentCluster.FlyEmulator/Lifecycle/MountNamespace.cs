using AgentCluster.Abstractions.Agents;
using AgentCluster.FlyEmulator.State;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// The emulator's stand-in for a machine's mount namespace. A machine here is a plain process sharing the host's
/// filesystem, so it cannot see its volume at the mount path (<c>/workspace</c>); instead the paths it is told
/// about are translated: every environment value that is a mount path, or lies under one, becomes the same path
/// in the volume's folder, and when <c>AGENTCLUSTER_WORKSPACE</c> is such a path, the process also starts in
/// it. A program that writes relative to its workspace (or its working directory) writes into the volume; one
/// that hard-codes <c>/workspace</c> would not, which is the one way the emulator differs from Fly here.
/// </summary>
internal sealed class MountNamespace
{
    private readonly IReadOnlyList<(string GuestPath, string HostPath)> mounts;

    private MountNamespace(IReadOnlyList<(string, string)> mounts) => this.mounts = mounts;

    public static MountNamespace Of(EmulatedMachine machine, EmulatorStore store) => new(
        (machine.Config.Mounts ?? [])
            .Where(m => m is { Volume.Length: > 0, Path.Length: > 0 })
            .Select(m => (m.Path!.TrimEnd('/'), store.VolumeDirectory(machine.App.Name, m.Volume!)))
            .ToList());

    /// <summary>The volumes' folders on the host.</summary>
    public IEnumerable<string> HostFolders => mounts.Select(m => m.HostPath);

    /// <summary>Where <paramref name="guestPath"/> is on the host; null when it is not on a volume.</summary>
    public string? Resolve(string? guestPath)
    {
        if (string.IsNullOrEmpty(guestPath)) return null;
        foreach (var (guest, host) in mounts)
        {
            if (guestPath == guest) return host;
            if (guestPath.StartsWith(guest + "/", StringComparison.Ordinal)) return Path.Combine(host, guestPath[(guest.Length + 1)..]);
        }
        return null;
    }

    /// <summary>The environment with its paths on volumes translated.</summary>
    public Dictionary<string, string> Translate(IReadOnlyDictionary<string, string> environment) =>
        environment.ToDictionary(kv => kv.Key, kv => Resolve(kv.Value) ?? kv.Value);

    /// <summary>The agent's workspace folder when it is on a volume, else <paramref name="fallback"/>.</summary>
    public string WorkingDirectory(IReadOnlyDictionary<string, string> environment, string fallback) =>
        Resolve(environment.GetValueOrDefault(AgentEnvironment.Workspace)) ?? fallback;
}

using System.Collections.Concurrent;
using AgentCluster.Fly.Models;

namespace AgentCluster.FlyEmulator.State;

internal sealed class EmulatedApp(string id, string name, string orgSlug, string network)
{
    public string Id { get; } = id;
    public string Name { get; } = name;
    public string OrgSlug { get; } = orgSlug;
    public string Network { get; } = network;
    public ConcurrentDictionary<string, EmulatedMachine> Machines { get; } = new();

    /// <summary>Its volumes, by id; changed only under <c>VolumeLifecycle</c>'s lock.</summary>
    public ConcurrentDictionary<string, EmulatedVolume> Volumes { get; } = new();

    // Machine names are unique among live machines; an index, because a scan per create grows with the app.
    private readonly Lock namesSync = new();
    private readonly Dictionary<string, EmulatedMachine> byName = new(StringComparer.Ordinal);

    /// <summary>Adds the machine unless a machine that is not destroyed holds its name (atomic: two creates cannot both take it).</summary>
    public bool TryAdd(EmulatedMachine machine)
    {
        lock (namesSync)
        {
            if (byName.TryGetValue(machine.Name, out var holder))
                lock (holder.Sync)
                    if (holder.DestroyedAt is null) return false;
            byName[machine.Name] = machine;
            Machines[machine.Id] = machine;
            return true;
        }
    }

    /// <summary>A machine past its destroyed retention leaves the app, and its name with it.</summary>
    public void Remove(EmulatedMachine machine)
    {
        lock (namesSync)
        {
            Machines.TryRemove(machine.Id, out _);
            if (byName.TryGetValue(machine.Name, out var holder) && holder == machine) byName.Remove(machine.Name);
        }
    }

    public App ToApp(int machineCount) => new()
    {
        Id = Id,
        Name = Name,
        Status = "deployed",
        Organization = new AppOrganization { Name = OrgSlug, Slug = OrgSlug, InternalNumericId = 1 },
        InternalNumericId = Math.Abs(Id.GetHashCode() % 1_000_000),
        MachineCount = machineCount,
        VolumeCount = Volumes.Count,
        Network = Network,
    };
}

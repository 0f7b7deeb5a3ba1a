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

    /// <summary>Serialises name checks on create, so two creates cannot both take a name.</summary>
    public Lock NamesSync { get; } = new();

    public App ToApp(int machineCount) => new()
    {
        Id = Id,
        Name = Name,
        Status = "deployed",
        Organization = new AppOrganization { Name = OrgSlug, Slug = OrgSlug, InternalNumericId = 1 },
        InternalNumericId = Math.Abs(Id.GetHashCode() % 1_000_000),
        MachineCount = machineCount,
        VolumeCount = 0,
        Network = Network,
    };
}

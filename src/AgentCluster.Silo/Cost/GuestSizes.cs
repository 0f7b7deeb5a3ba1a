using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Cost;

/// <summary>
/// Fly's name for a machine's CPU preset (<c>shared-cpu-1x</c>, <c>performance-2x</c>): the size a metric is
/// tagged with. Memory is left out, so the tag has a few values only (a dozen or so kinds and counts).
/// </summary>
public static class GuestSizes
{
    public static string Name(GuestSpec guest) => Name(guest.CpuKind, guest.Cpus);

    public static string Name(string? cpuKind, int? cpus) => (cpuKind ?? FlyGuests.Shared) switch
    {
        FlyGuests.Shared => $"shared-cpu-{cpus ?? 1}x",
        FlyGuests.Performance => $"performance-{cpus ?? 1}x",
        _ => "other", // a kind Fly added later: still one bounded value
    };
}

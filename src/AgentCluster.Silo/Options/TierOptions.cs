using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;

namespace AgentCluster.Silo.Options;

/// <summary>
/// Named machine sizes a request or preset can ask for by <c>tier</c> (section <c>Tiers</c>, e.g.
/// <c>Tiers__large__MemoryMb=8192</c>): the defaults below, changed or added to by configuration, and held to
/// Fly's sizing rules at start-up.
/// </summary>
public sealed partial class TierOptions
{
    public const string Section = "Tiers";

    public Dictionary<string, TierSize> Tiers { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["small"] = new() { CpuKind = FlyGuests.Shared, Cpus = 1, MemoryMb = 512 },
        ["medium"] = new() { CpuKind = FlyGuests.Shared, Cpus = 2, MemoryMb = 2048 },
        ["large"] = new() { CpuKind = FlyGuests.Performance, Cpus = 2, MemoryMb = 4096 },
    };

    public IEnumerable<string> Names => Tiers.Keys.Order(StringComparer.Ordinal);

    /// <summary>The tier's guest; null for a tier that does not exist.</summary>
    public GuestSpec? GuestFor(string tier) => Tiers.TryGetValue(tier, out var size) ? size.ToGuest() : null;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, size) in Tiers)
        {
            if (!NamePattern().IsMatch(name)) yield return $"Tiers:{name}: a tier name is 1-32 lower-case letters, digits or '-', starting with a letter.";
            foreach (var problem in FlyGuests.Problems(size.ToGuest(), $"Tiers:{name}")) yield return problem.Message;
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex NamePattern();
}

/// <summary>A tier's Fly guest, as configuration binds it.</summary>
public sealed class TierSize
{
    public string CpuKind { get; set; } = FlyGuests.Shared;
    public int Cpus { get; set; } = 1;
    public int MemoryMb { get; set; } = 256;

    public GuestSpec ToGuest() => new() { CpuKind = CpuKind, Cpus = Cpus, MemoryMb = MemoryMb };
}

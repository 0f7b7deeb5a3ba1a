using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Presets;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// Fly's machine sizes (its guest: cpu_kind, cpus, memory_mb) and the rules Fly holds them to, so that a bad
/// size is a 400 naming the field here rather than a refused machine create later. The CPU counts and the
/// memory per CPU are Fly's (machine-sizing docs; flyctl checks performance memory in 1024 MB steps).
/// </summary>
public static class FlyGuests
{
    public const string Shared = "shared";
    public const string Performance = "performance";

    private sealed record Kind(string Name, int[] Cpus, int MinMbPerCpu, int MaxMbPerCpu, int StepMb);

    private static readonly Kind[] Kinds =
    [
        new(Shared, [1, 2, 4, 6, 8], 256, 2048, 256),
        new(Performance, [1, 2, 4, 6, 8, 10, 12, 14, 16], 2048, 8192, 1024),
    ];

    /// <summary>
    /// The guest with what it leaves out filled in as Fly fills it in: shared, 1 CPU, and the kind's least
    /// memory per CPU. So a partial guest means what it means on Fly, never a mix with the node's default size.
    /// </summary>
    public static GuestSpec Complete(GuestSpec guest)
    {
        var kind = guest.CpuKind ?? Shared;
        var cpus = guest.Cpus ?? 1;
        var memory = guest.MemoryMb ?? (KindOf(kind) is { } k ? k.MinMbPerCpu * cpus : null);
        return new GuestSpec { CpuKind = kind, Cpus = cpus, MemoryMb = memory };
    }

    /// <summary>Every rule the (completed) guest breaks, each naming <paramref name="prefix"/>.field.</summary>
    public static IEnumerable<FieldProblem> Problems(GuestSpec guest, string prefix = "guest")
    {
        var complete = Complete(guest);
        var (kindName, cpus, memory) = (complete.CpuKind!, complete.Cpus!.Value, complete.MemoryMb);
        if (KindOf(kindName) is not { } kind)
        {
            yield return new($"{prefix}.cpu_kind", $"{prefix}.cpu_kind must be '{Shared}' or '{Performance}' (got '{kindName}').");
            yield break;
        }
        if (!kind.Cpus.Contains(cpus))
        {
            yield return new($"{prefix}.cpus", $"{prefix}.cpus must be one of {string.Join(", ", kind.Cpus)} for {kind.Name} CPUs (got {cpus}).");
            yield break;
        }
        var (min, max) = (kind.MinMbPerCpu * cpus, kind.MaxMbPerCpu * cpus);
        if (memory < min || memory > max || memory % kind.StepMb != 0)
            yield return new($"{prefix}.memory_mb",
                $"{prefix}.memory_mb must be between {min} and {max} MB, a multiple of {kind.StepMb}, for {cpus} {kind.Name} CPU{(cpus == 1 ? "" : "s")} (got {memory}).");
    }

    /// <summary>A 400 naming the field for the first rule the guest breaks.</summary>
    public static void Validate(GuestSpec guest, string prefix = "guest")
    {
        if (Problems(guest, prefix).FirstOrDefault() is { } problem) throw problem.ToException();
    }

    private static Kind? KindOf(string name) => Array.Find(Kinds, k => k.Name == name);
}

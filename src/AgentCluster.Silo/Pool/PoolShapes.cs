using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Pool;

/// <summary>The pools this node's configuration asks for, by name: each a shape and how many ready machines it keeps.</summary>
public sealed class PoolShapes
{
    private readonly Dictionary<string, (MachineShape Shape, int Target)> pools = [];

    public PoolShapes(IOptions<PoolOptions> pool, IOptions<AgentSessionOptions> sessions, IOptions<TierOptions> tiers, IConfiguration configuration)
    {
        var defaults = sessions.Value;
        // On Fly a small pool by default; elsewhere (the embedded emulator, a laptop driving Fly) none unless asked.
        var size = pool.Value.Size ?? (FlyNode.Of(configuration) is not null ? 2 : 0);
        Add(new MachineShape(defaults.AgentImage, defaults.GuestFor(null), defaults.Region), size);
        foreach (var extra in pool.Value.Shapes)
        {
            var guest = defaults.GuestFor(extra.Tier is { } tier ? tiers.Value.GuestFor(tier) : null);
            Add(new MachineShape(extra.Image ?? defaults.AgentImage, guest, extra.Region ?? defaults.Region), extra.Size);
        }
    }

    private void Add(MachineShape shape, int target)
    {
        var name = shape.Name;
        pools[name] = (shape, pools.TryGetValue(name, out var known) ? known.Target + target : target);
    }

    /// <summary>Every configured pool, empty ones included (they are shown, and their leftover machines go).</summary>
    public IEnumerable<(string Name, MachineShape Shape, int Target)> All => pools.Select(p => (p.Key, p.Value.Shape, p.Value.Target));

    public (MachineShape Shape, int Target)? Find(string name) => pools.TryGetValue(name, out var pool) ? pool : null;

    /// <summary>The pool whose machines can serve a session of this shape; null when none keeps any.</summary>
    public string? For(MachineShape shape) => pools.TryGetValue(shape.Name, out var pool) && pool.Target > 0 ? shape.Name : null;
}

namespace AgentCluster.Silo.Options;

/// <summary>
/// Machines made ahead of demand (section <c>Pool</c>): per shape, this many booted agents wait, suspended, for
/// the sessions that claim them. <c>Pool__Size</c> is the default shape's (Sessions' image, guest and region);
/// <c>Pool__Shapes__0__Tier</c>, <c>__Region</c>, <c>__Image</c>, <c>__Size</c> add others.
/// </summary>
public sealed class PoolOptions
{
    public const string Section = "Pool";

    /// <summary>The most machines a pool may ask for (each is a machine billed for its disk while it waits).</summary>
    public const int MaxSize = 500;

    /// <summary>The default shape's pool size; null: 2 on Fly, 0 on the embedded emulator.</summary>
    public int? Size { get; set; }

    public List<PoolShapeOptions> Shapes { get; set; } = [];

    /// <summary>How often each node makes sure every pool is active and full (a pool whose node died comes back within this).</summary>
    public TimeSpan KeepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a booting pool machine may take to call in before it is replaced.</summary>
    public TimeSpan BootTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The node's tiers, which shapes name (set when the options are made).</summary>
    internal TierOptions Tiers { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        var tiers = Tiers;
        if (Size is < 0 or > MaxSize) yield return $"Pool:Size must be between 0 and {MaxSize}.";
        if (KeepInterval <= TimeSpan.Zero) yield return "Pool:KeepInterval must be positive.";
        if (BootTimeout <= TimeSpan.Zero) yield return "Pool:BootTimeout must be positive.";
        for (var i = 0; i < Shapes.Count; i++)
        {
            var shape = Shapes[i];
            if (shape.Size is < 0 or > MaxSize) yield return $"Pool:Shapes:{i}:Size must be between 0 and {MaxSize}.";
            if (shape.Tier is { } tier && tiers.GuestFor(tier) is null)
                yield return $"Pool:Shapes:{i}:Tier '{tier}' is not a tier (one of: {string.Join(", ", tiers.Names)}).";
            if (shape.Region is { } region && !System.Text.RegularExpressions.Regex.IsMatch(region, "^[a-z]{3}$"))
                yield return $"Pool:Shapes:{i}:Region '{region}' is not a region code like 'iad'.";
            if (shape.Image is "") yield return $"Pool:Shapes:{i}:Image must not be empty.";
        }
    }
}

/// <summary>One more shape to keep ready machines of; what it leaves out is the default shape's.</summary>
public sealed class PoolShapeOptions
{
    public string? Tier { get; set; }
    public string? Region { get; set; }
    public string? Image { get; set; }
    public int Size { get; set; }
}

namespace AgentCluster.Silo.Options;

/// <summary>How the reaper watches sessions and the Fly app (section <c>Reaper</c>).</summary>
public sealed class ReaperOptions
{
    public const string Section = "Reaper";

    /// <summary>
    /// Reaper grains, each watching the sessions whose id hashes to it. Fixed for the life of a deployment's
    /// Redis data: the shard is part of where a session's schedule entry is kept.
    /// </summary>
    public int Shards { get; set; } = 8;

    /// <summary>How often an active shard looks for sessions that are due (a grain timer; its reminder is the backstop).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Due sessions looked at per sweep and shard; the rest wait for the next sweep.</summary>
    public int SweepBatch { get; set; } = 512;

    /// <summary>Due sessions looked at together.</summary>
    public int SweepParallelism { get; set; } = 32;

    /// <summary>How often shard 0 compares the Fly app's machines with the sessions (slower than the sweep: it lists the app).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How old a tagged machine of an unknown session must be before it counts as an orphan: younger ones may
    /// belong to a create whose session record is still on its way.
    /// </summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a terminated session waits before trying again to destroy a machine Fly would not destroy.</summary>
    public TimeSpan DestroyRetry { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (Shards is < 1 or > 1024) yield return "Reaper:Shards must be between 1 and 1024.";
        if (SweepInterval <= TimeSpan.Zero) yield return "Reaper:SweepInterval must be positive.";
        if (SweepBatch < 1) yield return "Reaper:SweepBatch must be at least 1.";
        if (SweepParallelism < 1) yield return "Reaper:SweepParallelism must be at least 1.";
        if (ReconcileInterval < SweepInterval) yield return "Reaper:ReconcileInterval must not be shorter than Reaper:SweepInterval.";
        if (OrphanGrace <= TimeSpan.Zero) yield return "Reaper:OrphanGrace must be positive.";
        if (DestroyRetry <= TimeSpan.Zero) yield return "Reaper:DestroyRetry must be positive.";
    }
}

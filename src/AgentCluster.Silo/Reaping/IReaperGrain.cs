using Orleans.Concurrency;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Reaping;

/// <summary>A reaper shard (key: shard number). Kept alive by a reminder; sweeps by a grain timer while active.</summary>
[Alias("AgentCluster.IReaperGrain")]
public interface IReaperGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Makes sure the shard's reminder exists and its sweep timer runs. Idempotent and cheap once awake; it
    /// interleaves, so that it never waits behind a long sweep.
    /// </summary>
    [Alias("Wake"), AlwaysInterleave]
    Task WakeAsync();

    /// <summary>Looks at every session of the shard that is due now.</summary>
    [Alias("Sweep")]
    Task<SweepReport> SweepAsync();

    /// <summary>Compares the Fly app's tagged machines with their sessions (any shard can; shard 0 does it on its timer).</summary>
    [Alias("Reconcile")]
    Task<ReconcileReport> ReconcileAsync();
}

[GenerateSerializer, Immutable, Alias("AgentCluster.SweepReport")]
public sealed record SweepReport([property: Id(0)] int Due, [property: Id(1)] int Failed);

[GenerateSerializer, Immutable, Alias("AgentCluster.ReconcileReport")]
public sealed record ReconcileReport([property: Id(0)] int Tagged, [property: Id(1)] int Destroyed, [property: Id(2)] int Adopted);

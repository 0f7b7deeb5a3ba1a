using Orleans.Concurrency;

using AgentCluster.Silo.Machines;

namespace AgentCluster.Silo.Pool;

/// <summary>
/// One pool of ready machines, keyed by its shape's name (<see cref="MachineShape.Name"/>). The one place a machine
/// is claimed, so no machine serves two sessions, on any node.
/// </summary>
[Alias("AgentCluster.IMachinePoolGrain")]
public interface IMachinePoolGrain : ICreateWaiterGrain
{
    /// <summary>The machine this session claimed (the same one when asked again); null when none is ready.</summary>
    [Alias("Claim")]
    Task<SessionMachine?> ClaimAsync(string sessionId);

    /// <summary>
    /// A pool machine's agent asks which session claimed its machine, holding the call up to <paramref name="wait"/>:
    /// the session's id, or null when none did in time. Its first call marks it ready.
    /// </summary>
    [Alias("WaitForClaim"), AlwaysInterleave]
    Task<string?> WaitForClaimAsync(string machineId, string poolToken, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Makes sure the pool is active and filling (every node calls it now and then).</summary>
    [Alias("Keep")]
    Task KeepAsync();

    [Alias("Status"), AlwaysInterleave]
    Task<PoolStatus> StatusAsync();

    /// <summary>A live machine tagged with this pool and no session, seen by reconciliation for <paramref name="seenFor"/>.</summary>
    [Alias("Reconcile")]
    Task<Reaping.MachineVerdict> ReconcileAsync(string app, string machineId, TimeSpan seenFor);
}

/// <summary>A pool as <c>GET /pool</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.PoolStatus")]
public sealed record PoolStatus(
    [property: Id(0)] string Name, [property: Id(1)] string Image, [property: Id(2)] Abstractions.Sessions.GuestSpec Guest, [property: Id(3)] string Region,
    [property: Id(4)] int Target, [property: Id(5)] int Ready, [property: Id(6)] int Starting, [property: Id(7)] long ClaimedTotal);

using AgentCluster.FlyEmulator.State;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// Leases: an exclusive lock on a machine's mutations. The holder proves itself with the nonce; an expired
/// lease frees the machine. Callers hold the machine's lock.
/// </summary>
internal sealed class MachineLeases(TimeProvider time)
{
    /// <summary>Fly documents no default; flyctl asks for 120 s or less, deploys for 13 s.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(30);

    /// <summary>Throws 409 when someone else holds the lease and <paramref name="nonce"/> is not theirs.</summary>
    public void Check(EmulatedMachine machine, string? nonce)
    {
        if (machine.ActiveLease(time.GetUtcNow()) is { } lease && lease.Nonce != nonce)
            throw FlyError.LeaseHeld(machine.Id, lease.Owner, lease.ExpiresAt);
    }

    /// <summary>Acquires a new lease, or with the current nonce refreshes it (same nonce, later expiry).</summary>
    public MachineLease AcquireOrRefresh(EmulatedMachine machine, TimeSpan? ttl, string? description, string? nonce, string owner)
    {
        var duration = ttl ?? DefaultTtl;
        if (duration <= TimeSpan.Zero) throw new FlyError(400, "ttl must be a positive number of seconds", envelope: true);
        var now = time.GetUtcNow();
        var current = machine.ActiveLease(now);
        if (current is not null && current.Nonce != nonce)
            throw FlyError.LeaseHeld(machine.Id, current.Owner, current.ExpiresAt);

        machine.Lease = current is null
            ? new MachineLease(FlyIds.LeaseNonce(), now + duration, owner, description ?? "", machine.Version)
            : current with { ExpiresAt = now + duration, Description = description ?? current.Description };
        return machine.Lease;
    }

    public MachineLease? Get(EmulatedMachine machine) => machine.ActiveLease(time.GetUtcNow());

    public void Release(EmulatedMachine machine, string? nonce)
    {
        if (string.IsNullOrEmpty(nonce))
            throw new FlyError(400, "fly-machine-lease-nonce header is required to release a lease", envelope: true);
        var current = machine.ActiveLease(time.GetUtcNow());
        if (current is null) throw new FlyError(404, "lease not found", envelope: true);
        if (current.Nonce != nonce) throw FlyError.LeaseHeld(machine.Id, current.Owner, current.ExpiresAt);
        machine.Lease = null;
    }
}

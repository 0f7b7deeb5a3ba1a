using AgentCluster.Silo.Machines;

namespace AgentCluster.Silo.Pool;

/// <summary>
/// One pool's rules, with no Orleans in them: which machine a session gets (one ready machine per session, the same
/// one when it asks again), how many machines are missing, and which are to go (made from a stale config, or never
/// booted). <see cref="MachinePoolGrain"/> persists the state and makes the calls.
/// </summary>
public sealed class MachinePool(PoolState state, string configVersion, TimeSpan bootTimeout)
{
    /// <summary>How long a claimed machine stays known to the pool after the claim, for its agent to learn it.</summary>
    public static readonly TimeSpan ClaimKept = TimeSpan.FromMinutes(10);

    private IEnumerable<PoolMachine> Machines => state.Machines.Values;

    public int Ready => Machines.Count(m => m.Status == PoolMachineStatus.Ready && Current(m));

    public int Starting => Machines.Count(m => m.Status is PoolMachineStatus.Creating or PoolMachineStatus.Booting && Current(m));

    public long ClaimedTotal => state.ClaimedTotal;

    private bool Current(PoolMachine m) => m.ConfigVersion == configVersion;

    /// <summary>How many machines to make for the pool to hold <paramref name="target"/> unclaimed ones.</summary>
    public int Missing(int target) => Math.Max(0, target - Ready - Starting);

    public PoolMachine? Find(string machineId) => Machines.FirstOrDefault(m => m.Id == machineId);

    public PoolMachine Add(string name, string tokenHash, DateTimeOffset now)
    {
        var machine = new PoolMachine { Name = name, TokenHash = tokenHash, ConfigVersion = configVersion, Status = PoolMachineStatus.Creating, Since = now };
        state.Machines[name] = machine;
        return machine;
    }

    public void Made(string name, SessionMachine made, DateTimeOffset now)
    {
        var machine = state.Machines[name];
        (machine.Id, machine.App, machine.Region, machine.PrivateIp) = (made.Id, made.App, made.Region, made.PrivateIp);
        (machine.Status, machine.Since) = (PoolMachineStatus.Booting, now);
    }

    public void Forget(string name) => state.Machines.Remove(name);

    /// <summary>The machine's agent called in: true when that made it ready (the caller suspends it then).</summary>
    public bool CalledIn(PoolMachine machine, DateTimeOffset now)
    {
        if (machine.Status != PoolMachineStatus.Booting) return false;
        (machine.Status, machine.Since) = (PoolMachineStatus.Ready, now);
        return true;
    }

    /// <summary>
    /// Guarantee (one session per machine): the machine this session already claimed, else the longest-ready current
    /// one, now the session's; null when none is ready.
    /// </summary>
    public PoolMachine? Claim(string sessionId, DateTimeOffset now)
    {
        if (Machines.FirstOrDefault(m => m.ClaimedBy == sessionId) is { } claimed) return claimed;
        var machine = Machines.Where(m => m.Status == PoolMachineStatus.Ready && Current(m)).MinBy(m => m.Since);
        if (machine is null) return null;
        (machine.Status, machine.Since, machine.ClaimedBy) = (PoolMachineStatus.Claimed, now, sessionId);
        state.ClaimedTotal++;
        return machine;
    }

    /// <summary>
    /// Machines to destroy and forget: unclaimed ones made from another config, ones that did not boot in time. And
    /// claimed ones to forget only (their sessions have them): once their agents had time to learn it.
    /// </summary>
    public (List<PoolMachine> Destroy, List<PoolMachine> Forget) Expired(DateTimeOffset now)
    {
        var destroy = Machines.Where(m => m.Status != PoolMachineStatus.Claimed
            && (!Current(m) || (m.Status is PoolMachineStatus.Creating or PoolMachineStatus.Booting && now - m.Since > bootTimeout))).ToList();
        var forget = Machines.Where(m => m.Status == PoolMachineStatus.Claimed && now - m.Since > ClaimKept).ToList();
        return (destroy, forget);
    }
}

namespace AgentCluster.Silo.Pool;

/// <summary>What a pool persists: its machines by name (a name is chosen, and saved, before the machine is made).</summary>
[GenerateSerializer, Alias("AgentCluster.PoolState")]
public sealed class PoolState
{
    [Id(0)] public Dictionary<string, PoolMachine> Machines { get; set; } = [];

    /// <summary>Machines ever claimed from this pool.</summary>
    [Id(1)] public long ClaimedTotal { get; set; }
}

/// <summary>One machine of a pool. No secret: its pool credential only as a hash.</summary>
[GenerateSerializer, Alias("AgentCluster.PoolMachine")]
public sealed class PoolMachine
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string? Id { get; set; }
    [Id(2)] public string? App { get; set; }
    [Id(3)] public string? Region { get; set; }
    [Id(4)] public required string TokenHash { get; init; }
    [Id(5)] public required string ConfigVersion { get; init; }
    [Id(6)] public PoolMachineStatus Status { get; set; }

    /// <summary>When it entered its status.</summary>
    [Id(7)] public DateTimeOffset Since { get; set; }

    /// <summary>The session that claimed it, once one did.</summary>
    [Id(8)] public string? ClaimedBy { get; set; }

    /// <summary>Its private IP address (where its agent's control server listens once claimed).</summary>
    [Id(9)] public string? PrivateIp { get; set; }
}

[GenerateSerializer, Alias("AgentCluster.PoolMachineStatus")]
public enum PoolMachineStatus
{
    /// <summary>Named and saved; its create is under way (or was lost with a node: then it is replaced).</summary>
    Creating,

    /// <summary>Made; its agent has not called in yet.</summary>
    Booting,

    /// <summary>Its agent called in: it is suspended (or being suspended) and can be claimed.</summary>
    Ready,

    /// <summary>A session has it; kept only until its agent has learnt which.</summary>
    Claimed,
}

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// How a node reaches into a session's machine (<see cref="ISessionGrain.OpenMachineAsync"/>): the agent's control
/// server at <see cref="Address"/>:<see cref="Port"/>, with <see cref="ControlKey"/> as bearer. Not ready (<see cref="Ready"/>
/// false) while the machine is being made or its agent has not set up yet. A class, not a record: a record's generated
/// ToString would print the key.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.MachineAccess")]
public sealed class MachineAccess
{
    [Id(0)] public string? App { get; init; }

    [Id(1)] public string? MachineId { get; init; }

    /// <summary>The machine's private IP address (Fly's 6PN IPv6 address; 127.x.y.z in the emulator).</summary>
    [Id(2)] public string? Address { get; init; }

    [Id(3)] public int Port { get; init; }

    [Id(4)] public string? ControlKey { get; init; }

    /// <summary>The session's status when asked (<c>starting</c> while its machine is made).</summary>
    [Id(5)] public SessionStatus Status { get; init; }

    public bool Ready => MachineId is not null && Address is not null && ControlKey is not null;

    public override string ToString() => $"MachineAccess(app: {App}, machine: {MachineId}, address: {Address}:{Port}, status: {Status}, ready: {Ready})";
}

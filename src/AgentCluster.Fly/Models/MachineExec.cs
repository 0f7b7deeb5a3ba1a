namespace AgentCluster.Fly.Models;

/// <summary>
/// Spec <c>MachineExecRequest</c> (<c>POST /apps/{app}/machines/{id}/exec</c>): <see cref="Command"/> is the argv, run as
/// it is (no shell); <see cref="Timeout"/> in seconds. The spec also has <c>cmd</c>, one string, deprecated for
/// <c>command</c>: this client never sends it.
/// </summary>
public sealed record MachineExecRequest
{
    public List<string>? Command { get; init; }

    /// <summary>Deprecated by the spec ("use Command instead"); fly-go still sends it. Read by the emulator, never sent here.</summary>
    public string? Cmd { get; init; }

    /// <summary>Seconds before the command is killed.</summary>
    public int? Timeout { get; init; }

    /// <summary>Written to the command's stdin.</summary>
    public string? Stdin { get; init; }

    /// <summary>Which of the machine's containers, when it has several.</summary>
    public string? Container { get; init; }

    public override string ToString() => $"MachineExecRequest(command: [{string.Join(' ', Command ?? [])}], timeout: {Timeout})";
}

/// <summary>
/// Spec <c>flydv1.ExecResponse</c>: the command's exit code, the signal that ended it (if one did), and its output.
/// Fly answers 200 whatever the exit code.
/// </summary>
public sealed record MachineExecResponse
{
    public int? ExitCode { get; init; }
    public int? ExitSignal { get; init; }
    public string? Stdout { get; init; }
    public string? Stderr { get; init; }
}

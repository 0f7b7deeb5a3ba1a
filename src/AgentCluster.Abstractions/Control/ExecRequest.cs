namespace AgentCluster.Abstractions.Control;

/// <summary>
/// <c>POST /sessions/{id}/exec</c>, and the same body the node hands the agent (<see cref="ControlProtocol.ExecPath"/>).
/// A class, not a record: a record's generated ToString would print <see cref="Env"/> and <see cref="Stdin"/>.
/// </summary>
public sealed class ExecRequest
{
    public ExecCommand? Command { get; init; }

    /// <summary>The working directory, relative to the workspace (default: the workspace).</summary>
    public string? Cwd { get; init; }

    /// <summary>Added to the command's environment (which never holds the session's token or the model key).</summary>
    public Dictionary<string, string>? Env { get; init; }

    /// <summary>Written to the command's stdin, which is then closed; none: stdin is empty.</summary>
    public string? Stdin { get; init; }

    /// <summary>Seconds before the command's whole process tree is killed: 1 to <see cref="ControlProtocol.MaxTimeoutSeconds"/>, default 60.</summary>
    public int? TimeoutS { get; init; }

    /// <summary>How much of each of stdout and stderr is kept (the rest is counted, not kept): default 1 MiB, at most 16 MiB.</summary>
    public int? MaxOutputBytes { get; init; }

    public override string ToString() => $"ExecRequest(command: {Command}, cwd: {Cwd}, env: [{string.Join(", ", Env?.Keys.AsEnumerable() ?? [])}], timeout_s: {TimeoutS})";
}

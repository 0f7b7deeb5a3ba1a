using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Control;

/// <summary>
/// <c>POST /sessions/{id}/exec</c>, and the same body the node hands the agent (<see cref="ControlProtocol.ExecPath"/>).
/// A class, not a record: a record's generated ToString would print <see cref="Env"/> and <see cref="Stdin"/>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
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

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutS ?? ControlProtocol.DefaultTimeoutSeconds);

    /// <summary>What is wrong with the request, naming the field; null when nothing is. The node and the agent both check.</summary>
    public (string Field, string Message)? Problem()
    {
        if (Command is null) return ("command", "command is required: a string (run by bash -lc) or an array of strings (an argv).");
        if (Command.Script is { } script ? string.IsNullOrWhiteSpace(script) : Command.Argv!.Count == 0 || Command.Argv[0].Length == 0)
            return ("command", "command is empty.");
        if (Command.ToArgv().Any(arg => arg.Contains('\0'))) return ("command", "command holds a NUL character.");
        if (TimeoutS is < 1 or > ControlProtocol.MaxTimeoutSeconds)
            return ("timeout_s", $"timeout_s must be between 1 and {ControlProtocol.MaxTimeoutSeconds} seconds.");
        if (MaxOutputBytes is < 1 or > ControlProtocol.MaxOutputBytesLimit)
            return ("max_output_bytes", $"max_output_bytes must be between 1 and {ControlProtocol.MaxOutputBytesLimit}.");
        if (Cwd is { } cwd && (cwd.Contains('\0') || cwd.StartsWith('/') || cwd.Split('/').Contains("..")))
            return ("cwd", "cwd must be a folder relative to the workspace, without '..'.");
        if (Env?.FirstOrDefault(kv => kv.Key.Length == 0 || kv.Key.Contains('=') || kv.Key.Contains('\0') || kv.Value.Contains('\0')) is { Key: not null } bad)
            return ("env", $"env: '{bad.Key}' is not a valid variable (a name without '=' or NUL, a value without NUL).");
        return null;
    }

    public override string ToString() => $"ExecRequest(command: {Command}, cwd: {Cwd}, env: [{string.Join(", ", Env?.Keys.AsEnumerable() ?? [])}], timeout_s: {TimeoutS})";
}

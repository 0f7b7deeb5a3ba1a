using AgentCluster.Abstractions.Control;

namespace AgentCluster.Agent.Control;

/// <summary>What to run, resolved: the argv, an absolute working directory inside the workspace, the extra env.</summary>
/// <param name="Env">Added to the agent's own environment less what the agent keeps for itself (ChildEnvironment).</param>
internal sealed record ExecSpec(IReadOnlyList<string> Argv, string Cwd, IReadOnlyDictionary<string, string>? Env, string? Stdin, TimeSpan Timeout, int MaxOutputBytes)
{
    public override string ToString() => $"ExecSpec({string.Join(' ', Argv)}, cwd: {Cwd}, timeout: {Timeout})";
}

/// <summary>
/// Runs one exec command as its own process group (the whole tree is killed on timeout or when the caller goes away),
/// its environment scrubbed like a runtime's child (never the session token or the model key).
/// </summary>
internal static class ExecRunner
{
    /// <param name="output">Called with each piece of output as it comes (streamed exec); then the result holds no output. Null: the output is collected, each stream up to <see cref="ExecSpec.MaxOutputBytes"/>.</param>
    public static Task<ExecResult> RunAsync(ExecSpec spec, Func<ExecOutputEvent, ValueTask>? output, CancellationToken cancellationToken) =>
        throw new NotImplementedException("helper B");
}

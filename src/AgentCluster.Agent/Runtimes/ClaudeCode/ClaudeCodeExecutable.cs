namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>Where the Claude Code CLI is: <c>CLAUDE_CODE_PATH</c> if set, else <c>claude</c> on <c>PATH</c>.</summary>
internal static class ClaudeCodeExecutable
{
    public const string PathVariable = "CLAUDE_CODE_PATH";
    public const string Name = "claude";

    /// <param name="environment">Reads a variable of the agent's environment.</param>
    /// <exception cref="InvalidOperationException">Neither names an existing file: the turn fails saying so.</exception>
    public static string Resolve(Func<string, string?> environment)
    {
        if (environment(PathVariable) is { Length: > 0 } configured)
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{PathVariable}={configured} does not exist");
        var onPath = (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, Name))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw new InvalidOperationException(
            $"Claude Code CLI not found: {PathVariable} is not set and there is no '{Name}' on PATH");
    }
}

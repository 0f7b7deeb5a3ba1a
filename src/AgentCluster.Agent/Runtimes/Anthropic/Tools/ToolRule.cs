namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// One entry of the settings' allowed or disallowed tools, in Claude Code's syntax: a tool's name
/// (<c>Read</c>), or Bash with a command (<c>Bash(pwd)</c>) or a command prefix (<c>Bash(git:*)</c>, which covers
/// <c>git</c> and <c>git …</c>, not <c>gitk</c>), held to each simple command of a command line (see
/// <see cref="ShellCommands"/>). Specifiers of other tools (paths, domains) are not understood here, and so are
/// read the safe way: such a rule allows no call and disallows every call of its tool.
/// </summary>
internal sealed record ToolRule(string Tool, string? Specifier)
{
    public static ToolRule Parse(string text)
    {
        text = text.Trim();
        var open = text.IndexOf('(');
        return open > 0 && text.EndsWith(')')
            ? new ToolRule(text[..open].Trim(), text[(open + 1)..^1].Trim())
            : new ToolRule(text, null);
    }

    public bool IsWholeTool => Specifier is null;

    public bool Names(string tool) => string.Equals(Tool, tool, StringComparison.OrdinalIgnoreCase);

    /// <param name="commands">A Bash call's simple commands; null for another tool's call, or a command line that cannot be read.</param>
    public bool Denies(string tool, IReadOnlyList<string>? commands) =>
        Names(tool) && (IsWholeTool || commands is null || commands.Any(Covers));

    /// <summary>Whether this rule, a Bash command or prefix, covers one simple command.</summary>
    public bool Covers(string command)
    {
        if (Specifier is null) return true;
        if (!Specifier.EndsWith(":*", StringComparison.Ordinal)) return command == Specifier;
        var prefix = Specifier[..^2].TrimEnd();
        return command == prefix || command.StartsWith(prefix + " ", StringComparison.Ordinal);
    }

    public override string ToString() => IsWholeTool ? Tool : $"{Tool}({Specifier})";
}

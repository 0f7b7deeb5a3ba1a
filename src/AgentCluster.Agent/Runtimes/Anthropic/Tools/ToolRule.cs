namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// One entry of the settings' allowed or disallowed tools, in Claude Code's syntax: a tool's name
/// (<c>Read</c>), or Bash with a command (<c>Bash(git status)</c>) or a command prefix (<c>Bash(git:*)</c>).
/// Specifiers of other tools (paths, domains) are not understood here, and so are read the safe way: such a
/// rule allows no call and disallows every call of its tool.
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

    public bool Allows(string tool, ToolInput input) => Names(tool) && (IsWholeTool || MatchesCommand(tool, input) == true);

    public bool Denies(string tool, ToolInput input) => Names(tool) && (IsWholeTool || MatchesCommand(tool, input) != false);

    /// <returns>Whether a Bash call's command is the rule's; null for a specifier this runtime does not understand.</returns>
    private bool? MatchesCommand(string tool, ToolInput input)
    {
        if (!string.Equals(tool, "Bash", StringComparison.OrdinalIgnoreCase)) return null;
        var command = input.OptionalString("command")?.Trim() ?? "";
        return Specifier!.EndsWith(":*", StringComparison.Ordinal)
            ? command.StartsWith(Specifier[..^2], StringComparison.Ordinal)
            : command == Specifier;
    }

    public override string ToString() => IsWholeTool ? Tool : $"{Tool}({Specifier})";
}

using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// Which tool calls the session's settings allow. Nobody is there to ask, so what is not allowed is refused:
/// no allowed list means every tool (the machine is the sandbox), the disallowed list removes from it, and the
/// <c>plan</c> permission mode keeps to the tools that only read. A Bash call is allowed when each of its simple
/// commands is (<c>printf … &gt; a.py &amp;&amp; python3 a.py</c> needs a rule for printf and one for python3), and
/// refused when any one is disallowed.
/// </summary>
internal sealed class ToolPermissions(AgentSettings settings)
{
    public const string PlanMode = "plan";
    private static readonly string[] ReadOnlyTools = ["Read", "Glob", "Grep"];

    private readonly IReadOnlyList<ToolRule>? allowed = settings.AllowedTools?.Select(ToolRule.Parse).ToList();
    private readonly IReadOnlyList<ToolRule> disallowed = (settings.DisallowedTools ?? []).Select(ToolRule.Parse).ToList();
    private readonly bool plan = string.Equals(settings.PermissionMode, PlanMode, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the model is told of the tool at all: it is, when some call of it may be allowed.</summary>
    public bool Offers(string tool) =>
        !PlanRefuses(tool)
        && !disallowed.Any(rule => rule.IsWholeTool && rule.Names(tool))
        && (allowed is null || allowed.Any(rule => rule.Names(tool)));

    /// <returns>Why the call is refused, or null when it is allowed.</returns>
    public string? Refusal(string tool, ToolInput input)
    {
        if (PlanRefuses(tool)) return $"{tool} is not allowed in plan mode (only {string.Join(", ", ReadOnlyTools)})";
        var bash = string.Equals(tool, "Bash", StringComparison.OrdinalIgnoreCase);
        var commands = bash ? ShellCommands.Split(input.OptionalString("command") ?? "") : null;
        if (disallowed.FirstOrDefault(rule => rule.Denies(tool, commands)) is { } denial) return $"{tool} is not allowed here (disallowed: {denial})";
        if (allowed is null) return null;
        var rules = allowed.Where(rule => rule.Names(tool)).ToList();
        if (rules.Any(rule => rule.IsWholeTool)) return null;
        var list = string.Join(", ", allowed);
        if (rules.Count == 0 || !bash) return $"this {tool} call is not allowed here (allowed: {list})";
        if (commands is null)
            return "this Bash command cannot be held to the allowed rules (it has command substitution, a here-document, a subshell " +
                   $"or a group): run its parts one by one (allowed: {list})";
        return commands.FirstOrDefault(command => !rules.Any(rule => rule.Covers(command))) is { } uncovered
            ? $"'{uncovered}' is not allowed here (allowed: {list})"
            : null;
    }

    private bool PlanRefuses(string tool) => plan && !ReadOnlyTools.Contains(tool, StringComparer.OrdinalIgnoreCase);
}

using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// Which tool calls the session's settings allow. Nobody is there to ask, so what is not allowed is refused:
/// no allowed list means every tool, the disallowed list removes from it, and the <c>plan</c> permission mode
/// keeps to the tools that only read.
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
        if (disallowed.FirstOrDefault(rule => rule.Denies(tool, input)) is { } denial) return $"{tool} is not allowed here (disallowed: {denial})";
        if (allowed is not null && !allowed.Any(rule => rule.Allows(tool, input)))
            return $"this {tool} call is not allowed here (allowed: {string.Join(", ", allowed)})";
        return null;
    }

    private bool PlanRefuses(string tool) => plan && !ReadOnlyTools.Contains(tool, StringComparer.OrdinalIgnoreCase);
}

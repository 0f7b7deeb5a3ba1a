using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>
/// What the CLI may do when the session's settings say nothing about permissions (no allowed tools and no
/// permission mode: a session without a preset). The machine is the sandbox, the session's own and thrown away
/// with it, so the agent may do what a developer at it would: write any file, run any command (pipes, <c>&amp;&amp;</c>,
/// redirection, interpreters, package managers). Headless, the CLI refuses whatever would ask for approval, so
/// this says it with allow rules for every tool that asks (a rule naming a whole tool allows every call of it).
/// Not <c>--permission-mode bypassPermissions</c>: the CLI refuses that as root, which is how agents still run where
/// a node says so (<c>FlyEmulator:RunAs=root</c>) or an image does, and rules behave the same on every node. The session's disallowed_tools still win.
/// </summary>
internal static class MachineSandbox
{
    /// <summary>The CLI's tools that ask before they act; the others (Read, Glob, Grep, …) never do.</summary>
    public static readonly IReadOnlyList<string> AllowedTools = ["Bash", "Edit", "Write", "NotebookEdit", "WebFetch", "WebSearch"];

    /// <returns>The settings' own allowed tools, or, when they set neither those nor a permission mode, <see cref="AllowedTools"/>.</returns>
    public static IReadOnlyList<string>? AllowedToolsFor(AgentSettings settings) =>
        settings.AllowedTools ?? (settings.PermissionMode is null ? AllowedTools : null);
}

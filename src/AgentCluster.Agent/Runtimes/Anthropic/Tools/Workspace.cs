namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// The folder the file tools work in. Paths are relative to it or absolute inside it; anything that resolves
/// outside is refused. This keeps the model's file edits where the session's work is: it is a guard against
/// mistakes, not a sandbox (the Bash tool runs whatever the model writes).
/// </summary>
internal sealed class Workspace
{
    public Workspace(string root) => Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    public string Root { get; }

    /// <exception cref="ToolException">The path is empty or leads outside the workspace.</exception>
    public string Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ToolException("the path is empty");
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, Root));
        if (!Contains(full)) throw new ToolException($"{path} is outside the workspace ({Root})");
        return full;
    }

    /// <summary>How the workspace names a path in what the tools answer: relative, '.' for the root.</summary>
    public string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath);

    private bool Contains(string full) =>
        full == Root || full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}

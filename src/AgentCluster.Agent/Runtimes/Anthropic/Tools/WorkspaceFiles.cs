using Microsoft.Extensions.FileSystemGlobbing;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>The files under a folder that a glob pattern matches, never inside a <c>.git</c> folder.</summary>
internal static class WorkspaceFiles
{
    /// <param name="pattern">A glob (<c>*</c>, <c>?</c>, <c>**</c>) relative to <paramref name="folder"/>.</param>
    /// <returns>Full paths.</returns>
    public static IEnumerable<string> Matching(string folder, string pattern)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(pattern);
        matcher.AddExclude("**/.git/**");
        matcher.AddExclude(".git/**");
        return matcher.GetResultsInFullPath(folder);
    }
}

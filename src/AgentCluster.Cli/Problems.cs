using System.Text.RegularExpressions;

namespace AgentCluster.Cli;

/// <summary>Errors as agentcluster prints them: one line on stderr, whatever the message held.</summary>
internal static partial class Problems
{
    public static string OneLine(string message) => Breaks().Replace(message.Trim(), " ");

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex Breaks();
}

using System.CommandLine;

namespace AgentCluster.Cli.Commands;

/// <summary>The <c>&lt;id&gt;</c> argument of the commands that act on one session.</summary>
internal static class SessionId
{
    public static Argument<string> Argument() => new("id") { Description = "The session's id" };
}

namespace AgentCluster.Agent;

/// <summary>
/// Plain lines on stdout, which Fly collects as the machine's log. Prefixed so that they stand out among the
/// output of whatever the turns run; callers never pass the token.
/// </summary>
internal sealed class AgentLog(TextWriter writer)
{
    public void Write(string message) => writer.WriteLine($"agentcluster-agent {message}");
}

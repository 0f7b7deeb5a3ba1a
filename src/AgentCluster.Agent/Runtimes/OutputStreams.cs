namespace AgentCluster.Agent.Runtimes;

/// <summary>The values of an agent.output event's <c>stream</c>.</summary>
internal static class OutputStreams
{
    public const string Text = "text";
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";
}

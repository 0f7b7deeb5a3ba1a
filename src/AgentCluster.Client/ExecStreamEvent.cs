using AgentCluster.Abstractions.Control;

namespace AgentCluster.Client;

/// <summary>A frame of a streamed exec: output as it comes, then its exit (always last).</summary>
public abstract record ExecStreamEvent
{
    private ExecStreamEvent() { }

    /// <summary>An <c>exec.output</c> frame: a piece of stdout or stderr.</summary>
    public sealed record Output(ExecOutputEvent Event) : ExecStreamEvent;

    /// <summary>The <c>exec.exit</c> frame: how the command ended.</summary>
    public sealed record Exit(ExecExitEvent Event) : ExecStreamEvent;
}

namespace AgentCluster.Abstractions.Sessions;

/// <summary>The <c>kind</c> of a <c>session.warning</c> event.</summary>
public static class WarningKinds
{
    /// <summary>The agent is alive but has said nothing inside its turn for too long; the turn fails at <c>at</c>.</summary>
    public const string Stalled = "stalled";

    /// <summary>The agent stopped calling in; its machine is destroyed at <c>at</c>.</summary>
    public const string ReapPending = "reap_pending";
}

namespace AgentCluster.Abstractions.Sessions;

/// <summary>The <c>mode</c> of a session: how long it lives once its turns are done.</summary>
public static class SessionModes
{
    /// <summary>The default: the session waits for more messages (idle, then asleep) until it is deleted or reaped.</summary>
    public const string Session = "session";

    /// <summary>
    /// One-shot: once the prompt's turn and any turns queued before it ended are done, the session terminates
    /// (<c>completed</c> when the last turn succeeded, else <c>failed</c>) and its machine is destroyed at once.
    /// </summary>
    public const string Task = "task";

    public static readonly IReadOnlyList<string> All = [Session, Task];
}

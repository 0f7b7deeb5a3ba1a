namespace AgentCluster.Abstractions.Sessions;

/// <summary>How a turn ended: the <c>outcome</c> of its <c>turn.completed</c> event.</summary>
public static class TurnOutcomes
{
    public const string Success = "success";
    public const string Error = "error";

    /// <summary>Cut short: interrupted by the client (POST /sessions/{id}/interrupt), the session ended, the machine stopped, or the agent process died mid-turn.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The model used all the round trips the session's max_turns allows before it finished.</summary>
    public const string MaxTurns = "max_turns";

    /// <summary>Given up by the session (the agent went silent inside it for too long); the payload says why.</summary>
    public const string Failed = "failed";

    /// <summary>It ran for the session's max_turn_seconds: the session interrupted it (or, when the agent did not stop it within a grace, ended it).</summary>
    public const string Timeout = "timeout";
}

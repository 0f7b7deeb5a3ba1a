namespace AgentCluster.Abstractions.Sessions;

/// <summary>Event types, dotted like Claude's managed-agent events.</summary>
public static class EventTypes
{
    /// <summary>
    /// {status, reason?, queue_position?}: written by the session. <c>reason</c> is the termination reason with
    /// <c>terminated</c>; with another status it says why that status came when it is not the ordinary course:
    /// <c>starting</c> with <c>"restarted"</c> (<see cref="StatusReasons.Restarted"/>) when a client restarted the machine.
    /// </summary>
    public const string SessionStatus = "session.status";

    /// <summary>{content}: a turn's input, written by the session.</summary>
    public const string UserMessage = "user.message";

    /// <summary>{stream: text|stdout|stderr, text, delta?}: <c>delta: true</c> marks a fragment of model text, which the whole block follows.</summary>
    public const string AgentOutput = "agent.output";

    /// <summary>{id, name, input}</summary>
    public const string AgentToolUse = "agent.tool_use";

    /// <summary>{tool_use_id, content, is_error}</summary>
    public const string AgentToolResult = "agent.tool_result";

    /// <summary>{outcome: success|error|interrupted|max_turns|failed|timeout, exit_code?, reason?, denied_tools?}</summary>
    public const string TurnCompleted = "turn.completed";

    /// <summary>{command, exit_code?, via: agent|fly}: a command a client ran in the machine (exec), for audit; never its env, stdin or output.</summary>
    public const string SessionExec = "session.exec";

    /// <summary>{message}</summary>
    public const string SessionError = "session.error";

    /// <summary>{kind: stalled|reap_pending|budget|turn_timeout|model_budget, message, at, turn?, machine_seconds?, max_machine_seconds?, model_cost_usd?, max_model_usd?}: something is about to happen to the session, said before it does.</summary>
    public const string SessionWarning = "session.warning";

    /// <summary>The types an agent may push; the others are the session's own.</summary>
    public static readonly IReadOnlySet<string> FromAgent = new HashSet<string>(StringComparer.Ordinal)
    {
        AgentOutput, AgentToolUse, AgentToolResult, TurnCompleted, SessionError,
    };
}

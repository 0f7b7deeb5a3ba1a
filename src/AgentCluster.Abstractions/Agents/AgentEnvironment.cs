namespace AgentCluster.Abstractions.Agents;

/// <summary>The environment a session gives its agent machine: the agent's whole configuration.</summary>
public static class AgentEnvironment
{
    public const string SessionId = "AGENTCLUSTER_SESSION_ID";

    /// <summary>The per-session bearer token. The session keeps only its hash.</summary>
    public const string SessionToken = "AGENTCLUSTER_SESSION_TOKEN";

    /// <summary>
    /// A pool machine's credential, in place of a session and its token: the agent waits with it for the session
    /// that claims its machine (<see cref="AgentProtocol.PoolClaimPath"/>), which hands it that session's token.
    /// It is good only for asking which session claimed this machine; the pool keeps only its hash.
    /// </summary>
    public const string PoolToken = "AGENTCLUSTER_POOL_TOKEN";

    /// <summary>The pool a pool machine belongs to (its shape's name), with <see cref="PoolToken"/>.</summary>
    public const string Pool = "AGENTCLUSTER_POOL";

    /// <summary>Comma-separated base URLs of orchestrator nodes; the agent tries the next when one fails.</summary>
    public const string OrchestratorUrls = "AGENTCLUSTER_ORCHESTRATOR_URLS";

    /// <summary>Which runtime runs the turns: <c>shell</c>, …</summary>
    public const string Runtime = "AGENTCLUSTER_RUNTIME";

    /// <summary>Seconds (or a TimeSpan) between heartbeats when the agent is quiet; default 10 s.</summary>
    public const string HeartbeatInterval = "HEARTBEAT_INTERVAL";

    /// <summary>How long without any orchestrator answering before the agent exits on its own; default 5 min.</summary>
    public const string OrphanTimeout = "AGENTCLUSTER_ORPHAN_TIMEOUT";

    /// <summary>The folder turns run in; default the working directory.</summary>
    public const string Workspace = "AGENTCLUSTER_WORKSPACE";

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that created the machine: the agent's start-up span joins that trace.
    /// The agent's OpenTelemetry settings are the standard <c>OTEL_*</c> variables.
    /// </summary>
    public const string TraceParent = "TRACEPARENT";

    /// <summary>The agents' OpenTelemetry <c>service.name</c> (the node sets it as <c>OTEL_SERVICE_NAME</c> too).</summary>
    public const string ServiceName = "agentcluster-agent";
}

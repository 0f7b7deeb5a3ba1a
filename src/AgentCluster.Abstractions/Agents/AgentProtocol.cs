namespace AgentCluster.Abstractions.Agents;

/// <summary>
/// The agent ↔ node HTTP protocol. Every call carries <c>Authorization: Bearer &lt;session token&gt;</c>.
/// <list type="bullet">
/// <item><c>POST {base}/agent/sessions/{id}/events</c> body <see cref="AgentEventBatch"/> → 200 <see cref="AgentAck"/></item>
/// <item><c>POST {base}/agent/sessions/{id}/heartbeat</c> body <see cref="AgentHello"/> → 200 <see cref="AgentAck"/></item>
/// <item><c>GET {base}/agent/sessions/{id}/setup</c> → 200 <see cref="AgentSetup"/>: the runtime's settings and credentials, once at start</item>
/// <item><c>GET {base}/agent/sessions/{id}/turns/next?after=N&amp;instance=I&amp;wait=S</c> → 200 <see cref="AgentTurn"/>, or 204 when none came in time</item>
/// <item><c>GET {base}/agent/sessions/{id}/turns/{turn}/interrupt?instance=I&amp;wait=S</c> → 200 <see cref="AgentInterrupt"/> when the
/// running turn is to stop, or 204 when not within the wait (the agent holds this poll while a turn runs)</item>
/// <item><c>POST {base}/agent/sessions/{id}/anthropic/v1/messages</c> (and <c>…/v1/messages/count_tokens</c>): the session's
/// model gateway, Anthropic's Messages API for the session's runtime, with its model token (not the session token) as
/// <c>x-api-key</c> or bearer; its errors are Anthropic's JSON, not ProblemDetails</item>
/// <item><c>GET {base}/agent/pools/{pool}/machines/{machine}/claim?wait=S</c> with the pool credential
/// (<see cref="AgentEnvironment.PoolToken"/>) as bearer: a pool machine's agent asks which session claimed its machine.
/// 200 <see cref="AgentClaim"/> once one did (asked again, the same session with a fresh token), 204 when none did within
/// the wait, 401/403 for a wrong credential, 410 when the machine is no longer in the pool (the agent exits). The
/// first ask also tells the pool that the agent has booted and is ready.</item>
/// </list>
/// 401 without a token, 403 with another session's token, 404 for an unknown session, 410 once the session
/// is terminated (the agent exits). JSON is snake_case.
/// </summary>
public static class AgentProtocol
{
    public static string EventsPath(string sessionId) => $"agent/sessions/{Uri.EscapeDataString(sessionId)}/events";
    public static string HeartbeatPath(string sessionId) => $"agent/sessions/{Uri.EscapeDataString(sessionId)}/heartbeat";
    public static string NextTurnPath(string sessionId) => $"agent/sessions/{Uri.EscapeDataString(sessionId)}/turns/next";
    public static string SetupPath(string sessionId) => $"agent/sessions/{Uri.EscapeDataString(sessionId)}/setup";
    public static string InterruptPath(string sessionId, int turn) => $"agent/sessions/{Uri.EscapeDataString(sessionId)}/turns/{turn}/interrupt";

    public static string PoolClaimPath(string pool, string machineId) =>
        $"agent/pools/{Uri.EscapeDataString(pool)}/machines/{Uri.EscapeDataString(machineId)}/claim";

    /// <summary>The base URL path of the session's model gateway: what a runtime takes as ANTHROPIC_BASE_URL.</summary>
    public static string ModelGatewayPath(string sessionId) => $"agent/sessions/{Uri.EscapeDataString(sessionId)}/anthropic";

    /// <summary>The longest a next-turn poll is held open (well under Orleans' 30 s call timeout).</summary>
    public static readonly TimeSpan MaxPollWait = TimeSpan.FromSeconds(20);
}

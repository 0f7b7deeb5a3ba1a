namespace AgentCluster.Silo.Mcp;

/// <summary>
/// What <c>wait_for_turn</c> answers: the turn finished (its outcome and result text), or not yet (call again), or never
/// will (the session ended first; <see cref="Reason"/> says why).
/// </summary>
/// <param name="Outcome">One of TurnOutcomes once finished; null before.</param>
/// <param name="Text">The turn's result: its final answer text (a shell turn's output); null when it said nothing.</param>
/// <param name="Status">The session's status when answered: starting, running, idle, sleeping or terminated.</param>
public sealed record TurnAnswer(string SessionId, int Turn, bool Finished, string? Outcome, string? Text, string? Reason, string Status);

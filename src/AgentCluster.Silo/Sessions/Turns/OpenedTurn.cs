using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions.Turns;

/// <summary>A turn a protocol adapter has put to a session: the session, the turn's number, and the log position before it.</summary>
public sealed record OpenedTurn(string SessionId, ISessionGrain Grain, int Number, long After, string? Runtime, string? Preset)
{
    /// <summary>A reader of this turn's answer from the session's log.</summary>
    public TurnReader Reader() => new(Number, Runtime == AgentRuntimes.Shell);
}

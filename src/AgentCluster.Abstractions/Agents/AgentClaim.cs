namespace AgentCluster.Abstractions.Agents;

/// <summary>
/// The session that claimed a pool machine, as its agent learns it (<see cref="AgentProtocol.PoolClaimPath"/>): from
/// then on the agent is that session's, exactly as if the machine had been created for it with these values in
/// its environment (<see cref="AgentEnvironment.SessionId"/>, <see cref="AgentEnvironment.SessionToken"/>,
/// <see cref="AgentEnvironment.Runtime"/>). A class, not a record: a record's generated ToString would print the token.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.AgentClaim")]
public sealed class AgentClaim
{
    [Id(0)] public required string SessionId { get; init; }

    /// <summary>The session's bearer token for this agent; the session keeps only its hash.</summary>
    [Id(1)] public required string Token { get; init; }

    [Id(2)] public required string Runtime { get; init; }

    public override string ToString() => $"AgentClaim(session: {SessionId}, runtime: {Runtime})";
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Machines;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// How a session gets its machine when it did not at once (the same grain as <c>ISessionGrain</c>, a separate face
/// of it: nobody outside the node has any business calling these): its turn for a create came, or the agent of the
/// pool machine it claimed asks for it.
/// </summary>
[Alias("AgentCluster.ISessionCreateGrain")]
public interface ISessionCreateGrain : ICreateWaiterGrain
{
    /// <summary>
    /// The agent of the pool machine <paramref name="machineId"/>, which this session claimed, asks for its session:
    /// it gets a fresh token (the session keeps its hash), so a claim asked for twice leaves one token good.
    /// </summary>
    [Alias("HandOver")]
    Task<AgentClaim> HandOverAsync(string machineId);
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.ModelGateway;

/// <summary>
/// Where a session's runtime reaches its model gateway: the node the agent reached for its setup, as the agent
/// named it (its callback URL: this node's address, or one that reaches every node, such as
/// <c>http://&lt;app&gt;.internal:8080</c>), and the gateway's path. So the runtime's calls go wherever the agent's own do.
/// </summary>
public static class ModelGatewayUrl
{
    /// <summary>A setup that hands a model token gets the gateway's address with it, as ANTHROPIC_BASE_URL.</summary>
    public static AgentSetup Complete(AgentSetup setup, HttpRequest request, string sessionId)
    {
        if (!setup.Credentials.ContainsKey(AgentSetup.ApiKeyVariable)) return setup;
        var credentials = new Dictionary<string, string>(setup.Credentials)
        {
            [AgentSetup.BaseUrlVariable] = $"{request.Scheme}://{request.Host}{request.PathBase}/{AgentProtocol.ModelGatewayPath(sessionId)}",
        };
        return new AgentSetup { Settings = setup.Settings, Credentials = credentials, ControlKey = setup.ControlKey, Conversation = setup.Conversation };
    }
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The agent's setup: the runtime's settings and its model credential, handed over the agent's authenticated
/// channel when it starts (and again to a restarted agent), so that nothing sits in the machine's config. The model
/// credential is no real key: a model token for the session's model gateway (see SessionGrain.Models.cs).
/// </summary>
public sealed partial class SessionGrain
{
    /// <summary>The request's runtime, else the node's default for it: claude-code when a model key is at hand.</summary>
    private string RuntimeOf(StartSession request) => request.Runtime ?? options.Value.RuntimeFor(models.Value.HasKey || request.ApiKey is not null);

    /// <summary>A model runtime with no key anywhere would fail every turn: refused before a machine is made.</summary>
    private void RequireModelKey(string runtime, StartSession request)
    {
        if (AgentRuntimes.CallsModel(runtime) && request.ApiKey is null && !models.Value.HasKey)
            throw SessionException.Invalid(request.Runtime is null ? "api_key" : "runtime",
                $"runtime '{runtime}' needs a model key: pass api_key, or set ANTHROPIC_API_KEY on the nodes.");
    }

    Task<AgentSetup> ISessionGrain.AgentSetupAsync(string token) => Exclusively(async () =>
    {
        AuthorizeAgent(token);
        EnsureOpen();
        var credentials = new Dictionary<string, string>();
        if (AgentRuntimes.CallsModel(S.Runtime)) credentials[AgentSetup.ApiKeyVariable] = await IssueModelTokenAsync();
        return new AgentSetup { Settings = S.Agent ?? new AgentSettings(), Credentials = credentials };
    });
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The agent's setup: the runtime's settings and the model credentials, handed over the agent's authenticated
/// channel when it starts (and again to a restarted agent), so that no key sits in the machine's config.
/// </summary>
public sealed partial class SessionGrain
{
    private const string ApiKeyVariable = "ANTHROPIC_API_KEY";
    private const string BaseUrlVariable = "ANTHROPIC_BASE_URL";

    /// <summary>The request's runtime, else the node's default for it: claude-code when a model key is at hand.</summary>
    private string RuntimeOf(StartSession request) => request.Runtime ?? options.Value.RuntimeFor(models.Value.HasKey || request.ApiKey is not null);

    /// <summary>A model runtime with no key anywhere would fail every turn: refused before a machine is made.</summary>
    private void RequireModelKey(string runtime, StartSession request)
    {
        if (AgentRuntimes.CallsModel(runtime) && request.ApiKey is null && !models.Value.HasKey)
            throw SessionException.Invalid(request.Runtime is null ? "api_key" : "runtime",
                $"runtime '{runtime}' needs a model key: pass api_key, or set ANTHROPIC_API_KEY on the nodes.");
    }

    Task<AgentSetup> ISessionGrain.AgentSetupAsync(string token)
    {
        AuthorizeAgent(token);
        EnsureOpen();
        var credentials = new Dictionary<string, string>();
        if (AgentRuntimes.CallsModel(S.Runtime))
        {
            var key = S.ProtectedApiKey is { } stored ? secrets.Unprotect(stored) : models.Value.ApiKey;
            if (key is { Length: > 0 }) credentials[ApiKeyVariable] = key;
            if (models.Value.BaseUrl is { Length: > 0 } url) credentials[BaseUrlVariable] = url;
        }
        return Task.FromResult(new AgentSetup { Settings = S.Agent ?? new AgentSettings(), Credentials = credentials });
    }
}

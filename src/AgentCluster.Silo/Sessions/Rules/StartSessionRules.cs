using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;

namespace AgentCluster.Silo.Sessions;

/// <summary>What a session may be started with; every refusal names the field and the rule.</summary>
public static partial class StartSessionRules
{
    public const int MaxEnvEntries = 100;
    public const int MaxMetadataEntries = 50;
    private static readonly string[] ReservedEnvPrefixes = ["AGENTCLUSTER_", "FLY_"];

    public static void Validate(StartSession request, AgentSessionOptions options)
    {
        ValidateContent("prompt", request.Prompt, options);
        if (request.Runtime is { } runtime && !options.Runtimes.Contains(runtime))
            throw SessionException.Invalid("runtime", $"runtime '{runtime}' is not offered here; use one of: {string.Join(", ", options.Runtimes)}.");
        if (request.Region is { } region && FlyRegions.Problem("region", region) is { } notARegion)
            throw SessionException.Invalid("region", notARegion);
        if (request.Guest is { } guest) FlyGuests.Validate(guest);
        Cost.MachineBudget.Validate(request.MaxMachineSeconds);
        TaskMode.Validate(request.Mode);
        TurnTimeLimit.Validate(request.MaxTurnSeconds);
        Cost.ModelBudget.Validate(request.MaxModelUsd);
        ValidateEnv(request.Env);
        Workspaces.WorkspaceRules.Validate(request.Workspace);
        if (request.Metadata?.Count > MaxMetadataEntries) throw SessionException.Invalid("metadata", $"metadata may have at most {MaxMetadataEntries} keys.");
        foreach (var (key, value) in request.Metadata ?? new Dictionary<string, string>())
        {
            if (!MetadataKeyPattern().IsMatch(key))
                throw SessionException.Invalid($"metadata.{key}", $"metadata key '{key}' must be 1-64 lower-case letters, digits, '_' or '-'.");
            if (key.StartsWith("fly_", StringComparison.Ordinal) || key.StartsWith("agentcluster_", StringComparison.Ordinal))
                throw SessionException.Invalid($"metadata.{key}", $"metadata key '{key}' is reserved (fly_*, agentcluster_*).");
            if (value.Length > 1024) throw SessionException.Invalid($"metadata.{key}", "a metadata value may be at most 1024 characters.");
        }
    }

    /// <summary>
    /// The request's runtime, else the node's default for it (claude-code when a model key is at hand). A model
    /// runtime with no key anywhere would fail every turn: refused before a machine is made.
    /// </summary>
    public static string RuntimeFor(StartSession request, AgentSessionOptions options, ModelOptions models)
    {
        var runtime = request.Runtime ?? options.RuntimeFor(models.HasKey || request.ApiKey is not null);
        if (AgentRuntimes.CallsModel(runtime) && request.ApiKey is null && !models.HasKey)
            throw SessionException.Invalid(request.Runtime is null ? "api_key" : "runtime",
                $"runtime '{runtime}' needs a model key: pass api_key, or set ANTHROPIC_API_KEY on the nodes.");
        return runtime;
    }

    /// <summary>The machine's env, from a request or a preset.</summary>
    public static void ValidateEnv(IReadOnlyDictionary<string, string>? env)
    {
        if (env?.Count > MaxEnvEntries) throw SessionException.Invalid("env", $"env may have at most {MaxEnvEntries} variables.");
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            if (!EnvNamePattern().IsMatch(key))
                throw SessionException.Invalid($"env.{key}", $"'{key}' is not an environment variable name (letters, digits, '_', not starting with a digit).");
            if (ReservedEnvPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
                throw SessionException.Invalid($"env.{key}", $"'{key}' is reserved: names starting with {string.Join(" or ", ReservedEnvPrefixes)} are set by AgentCluster and Fly.");
            if (value.Length > 32_768) throw SessionException.Invalid($"env.{key}", "an env value may be at most 32768 characters.");
        }
    }

    public static void ValidateContent(string field, string? content, AgentSessionOptions options)
    {
        if (string.IsNullOrWhiteSpace(content)) throw SessionException.Invalid(field, $"{field} must not be empty.");
        if (content.Length > options.MaxContentLength)
            throw SessionException.Invalid(field, $"{field} may be at most {options.MaxContentLength} characters (it has {content.Length}).");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex MetadataKeyPattern();
}

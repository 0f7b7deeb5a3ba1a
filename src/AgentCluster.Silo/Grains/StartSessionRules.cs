using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Options;

namespace AgentCluster.Silo.Grains;

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
        if (request.Region is { } region && !RegionPattern().IsMatch(region))
            throw SessionException.Invalid("region", $"region '{region}' is not a Fly region code (three lower-case letters, e.g. 'iad').");
        if (request.Guest is { } guest) ValidateGuest(guest);
        Workspaces.WorkspaceRules.Validate(request.Workspace);
        if (request.Env?.Count > MaxEnvEntries) throw SessionException.Invalid("env", $"env may have at most {MaxEnvEntries} variables.");
        if (request.Metadata?.Count > MaxMetadataEntries) throw SessionException.Invalid("metadata", $"metadata may have at most {MaxMetadataEntries} keys.");
        foreach (var (key, value) in request.Env ?? new Dictionary<string, string>())
        {
            if (!EnvNamePattern().IsMatch(key))
                throw SessionException.Invalid($"env.{key}", $"'{key}' is not an environment variable name (letters, digits, '_', not starting with a digit).");
            if (ReservedEnvPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
                throw SessionException.Invalid($"env.{key}", $"'{key}' is reserved: names starting with {string.Join(" or ", ReservedEnvPrefixes)} are set by AgentCluster and Fly.");
            if (value.Length > 32_768) throw SessionException.Invalid($"env.{key}", "an env value may be at most 32768 characters.");
        }
        foreach (var (key, value) in request.Metadata ?? new Dictionary<string, string>())
        {
            if (!MetadataKeyPattern().IsMatch(key))
                throw SessionException.Invalid($"metadata.{key}", $"metadata key '{key}' must be 1-64 lower-case letters, digits, '_' or '-'.");
            if (key.StartsWith("fly_", StringComparison.Ordinal) || key.StartsWith("agentcluster_", StringComparison.Ordinal))
                throw SessionException.Invalid($"metadata.{key}", $"metadata key '{key}' is reserved (fly_*, agentcluster_*).");
            if (value.Length > 1024) throw SessionException.Invalid($"metadata.{key}", "a metadata value may be at most 1024 characters.");
        }
    }

    public static void ValidateContent(string field, string? content, AgentSessionOptions options)
    {
        if (string.IsNullOrWhiteSpace(content)) throw SessionException.Invalid(field, $"{field} must not be empty.");
        if (content.Length > options.MaxContentLength)
            throw SessionException.Invalid(field, $"{field} may be at most {options.MaxContentLength} characters (it has {content.Length}).");
    }

    private static void ValidateGuest(GuestSpec guest)
    {
        if (guest.CpuKind is { } kind && kind is not ("shared" or "performance"))
            throw SessionException.Invalid("guest.cpu_kind", "guest.cpu_kind must be 'shared' or 'performance'.");
        if (guest.Cpus is { } cpus && cpus is < 1 or > 16)
            throw SessionException.Invalid("guest.cpus", "guest.cpus must be between 1 and 16.");
        if (guest.MemoryMb is { } memory && (memory < 256 || memory > 131_072 || memory % 256 != 0))
            throw SessionException.Invalid("guest.memory_mb", "guest.memory_mb must be a multiple of 256 between 256 and 131072.");
    }

    [GeneratedRegex("^[a-z]{3}$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex MetadataKeyPattern();
}

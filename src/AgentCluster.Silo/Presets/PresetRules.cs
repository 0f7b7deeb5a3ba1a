using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Abstractions.Presets;

namespace AgentCluster.Silo.Presets;

/// <summary>What a preset's values may be: the rules a request meets, checked once when the node starts.</summary>
public static partial class PresetRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;

    public static IEnumerable<FieldProblem> Problems(Preset preset, TierOptions tiers, AgentSessionOptions sessions)
    {
        if (preset.Id.Length == 0) yield return new("id", "id is required.");
        else if (!IdPattern().IsMatch(preset.Id))
            yield return new("id", $"id '{preset.Id}' must be 1-64 lower-case letters, digits or '-', starting with a letter or digit.");
        if (preset.Name?.Length > MaxNameLength) yield return new("name", $"name may be at most {MaxNameLength} characters.");
        if (preset.Description?.Length > MaxDescriptionLength) yield return new("description", $"description may be at most {MaxDescriptionLength} characters.");
        if (preset.Runtime is { } runtime && !sessions.Runtimes.Contains(runtime))
            yield return new("runtime", $"runtime '{runtime}' is not one of: {string.Join(", ", sessions.Runtimes)}.");
        foreach (var problem in AgentSettingsRules.Problems(preset.ToAgentSettings(), sessions.MaxContentLength)) yield return problem;
        foreach (var problem in SizeProblems(preset.Tier, preset.Guest, tiers)) yield return problem;
        if (preset.Region is { } region && FlyRegions.Problem("region", region) is { } notARegion) yield return new("region", notARegion);
        if (preset.Image is { } image && (string.IsNullOrWhiteSpace(image) || image.Any(char.IsWhiteSpace)))
            yield return new("image", $"image '{image}' is not an image reference such as registry.fly.io/app:tag.");
        if (EnvProblem(preset.Env) is { } env) yield return env;
        if (preset.IdleTimeout <= TimeSpan.Zero) yield return new("idle_timeout", "idle_timeout must be positive.");
        if (Cost.MachineBudget.Problem(preset.MaxMachineSeconds) is { } budget) yield return new(Cost.MachineBudget.Field, budget);
        if (TurnTimeLimit.Problem(preset.MaxTurnSeconds) is { } turnLimit) yield return new(TurnTimeLimit.Field, turnLimit);
        if (Cost.ModelBudget.Problem(preset.MaxModelUsd) is { } usd) yield return new(Cost.ModelBudget.Field, usd);
    }

    /// <summary>A machine size asked for by tier or by guest (one or the other), from a preset or a request.</summary>
    public static IEnumerable<FieldProblem> SizeProblems(string? tier, GuestSpec? guest, TierOptions tiers)
    {
        if (tier is not null && guest is not null)
            yield return new("tier", "set tier or guest, not both: a tier names a guest.");
        else if (tier is not null && tiers.GuestFor(tier) is null)
            yield return new("tier", $"tier '{tier}' does not exist; the tiers are: {string.Join(", ", tiers.Names)}.");
        else if (guest is not null)
            foreach (var problem in FlyGuests.Problems(guest)) yield return problem;
    }

    private static FieldProblem? EnvProblem(IReadOnlyDictionary<string, string>? env)
    {
        try
        {
            StartSessionRules.ValidateEnv(env);
            return null;
        }
        catch (SessionException e)
        {
            return new(e.Field ?? "env", e.Message);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex IdPattern();
}

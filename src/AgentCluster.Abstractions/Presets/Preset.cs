using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Abstractions.Presets;

/// <summary>
/// A named starting point for sessions, one YAML file in the presets folder (the node's PresetYaml): the
/// runtime and its settings, the machine's size and place, and the session's image, env and idle timeout. A
/// request names it and may override some of it (the node's PresetResolver); its tools and permission mode
/// it may not: they are the preset's security posture. Shown as is by <c>GET /presets</c>: nothing here is secret.
/// </summary>
public sealed record Preset
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? Description { get; init; }

    /// <summary>shell, claude-code or anthropic (Sessions:Runtimes); null: the node's default.</summary>
    public string? Runtime { get; init; }

    public string? Model { get; init; }
    public string? SystemPrompt { get; init; }
    public IReadOnlyList<string>? AllowedTools { get; init; }
    public IReadOnlyList<string>? DisallowedTools { get; init; }
    public string? PermissionMode { get; init; }
    public int? MaxTurns { get; init; }

    /// <summary>A tier (Tiers) or a <see cref="Guest"/>, never both.</summary>
    public string? Tier { get; init; }

    public GuestSpec? Guest { get; init; }
    public string? Region { get; init; }
    public string? Image { get; init; }

    /// <summary>Plain settings for the machine; a secret has no place in a file everyone can read through the API.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }

    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>The sessions' budget of machine-seconds (see Cost/MachineBudget); a request may lower it.</summary>
    public long? MaxMachineSeconds { get; init; }

    /// <summary>The wall-clock limit of the sessions' turns (see Sessions/Rules/TurnTimeLimit); a request may lower it.</summary>
    public long? MaxTurnSeconds { get; init; }
    /// <summary>The sessions' budget of model spend in US dollars (see Cost/ModelBudget); a request may lower it.</summary>
    public decimal? MaxModelUsd { get; init; }

    /// <summary>The runtime's settings this preset sets.</summary>
    public AgentSettings ToAgentSettings() => new()
    {
        Model = Model,
        SystemPrompt = SystemPrompt,
        AllowedTools = AllowedTools,
        DisallowedTools = DisallowedTools,
        PermissionMode = PermissionMode,
        MaxTurns = MaxTurns,
    };
}

/// <summary>The answer to <c>GET /presets</c>.</summary>
public sealed record PresetList(IReadOnlyList<Preset> Presets);

using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;
using AgentCluster.Abstractions.Presets;

namespace AgentCluster.Silo.Presets;

/// <summary>
/// Turns a <c>POST /sessions</c> body into what the session starts from: the preset's fields first, then the
/// request's where it may override them. It may pick the model, add to the system prompt, lower max_turns,
/// choose the region, the size and more env; it may not change the preset's runtime, nor its tools and
/// permission mode (the preset's security posture). Without a preset, all of it is the request's, and what it
/// leaves out is the node's default (the runtime among them: see <see cref="AgentSessionOptions.RuntimeFor"/>).
/// </summary>
public sealed class PresetResolver(PresetCatalog presets, IOptions<TierOptions> tiers, IOptions<AgentSessionOptions> sessions)
{
    public const int MaxApiKeyLength = 1024;

    public StartSession Resolve(CreateSessionRequest request, string? owner)
    {
        var prompt = request.Prompt ?? throw SessionException.Invalid("prompt", "prompt is required.");
        var preset = request.Preset is { } id ? Find(id) : null;
        if (preset is not null) RefuseOverrides(request, preset);
        var agent = AgentFor(request, preset);
        return new StartSession
        {
            Prompt = prompt,
            Runtime = request.Runtime ?? preset?.Runtime,
            Region = request.Region ?? preset?.Region,
            Guest = GuestFor(request, preset),
            Env = Merge(preset?.Env, request.Env),
            Metadata = request.Metadata,
            Owner = owner,
            Preset = preset?.Id,
            Agent = agent == new AgentSettings() ? null : agent,
            ApiKey = ApiKeyOf(request.ApiKey),
            Image = preset?.Image,
            IdleTimeout = preset?.IdleTimeout,
            Workspace = request.Workspace,
            MaxMachineSeconds = request.MaxMachineSeconds ?? preset?.MaxMachineSeconds,
            Mode = request.Mode,
            MaxTurnSeconds = request.MaxTurnSeconds ?? preset?.MaxTurnSeconds,
            MaxModelUsd = request.MaxModelUsd ?? preset?.MaxModelUsd,
        };
    }

    private Preset Find(string id) => presets.Find(id) ?? throw SessionException.Invalid("preset", presets.All.Count == 0
        ? $"preset '{id}' does not exist: this node has no presets."
        : $"preset '{id}' does not exist; the presets are: {string.Join(", ", presets.Ids)}.");

    private static void RefuseOverrides(CreateSessionRequest request, Preset preset)
    {
        if (preset.Runtime is { } runtime && request.Runtime is { } asked && asked != runtime)
            throw SessionException.Invalid("runtime", $"preset '{preset.Id}' runs '{runtime}'; a request may not change its runtime (asked for '{asked}').");
        foreach (var (field, set) in new[]
                 {
                     ("allowed_tools", request.AllowedTools is not null),
                     ("disallowed_tools", request.DisallowedTools is not null),
                     ("permission_mode", request.PermissionMode is not null),
                 })
            if (set)
                throw SessionException.Invalid(field,
                    $"{field} comes from preset '{preset.Id}' (its security posture) and may not be set by a request; leave it out, or start without a preset.");
        if (preset.MaxTurns is { } most && request.MaxTurns > most)
            throw SessionException.Invalid("max_turns", $"max_turns may be at most {most}, preset '{preset.Id}''s limit (asked for {request.MaxTurns}).");
        if (preset.MaxMachineSeconds is { } budget && request.MaxMachineSeconds > budget)
            throw SessionException.Invalid(Cost.MachineBudget.Field,
                $"max_machine_seconds may be at most {budget}, preset '{preset.Id}''s budget (asked for {request.MaxMachineSeconds}).");
        if (preset.MaxTurnSeconds is { } limit && request.MaxTurnSeconds > limit)
            throw SessionException.Invalid(Sessions.TurnTimeLimit.Field,
                $"max_turn_seconds may be at most {limit}, preset '{preset.Id}''s limit (asked for {request.MaxTurnSeconds}).");
        if (preset.MaxModelUsd is { } usd && request.MaxModelUsd > usd)
            throw SessionException.Invalid(Cost.ModelBudget.Field,
                $"max_model_usd may be at most {usd}, preset '{preset.Id}''s budget (asked for {request.MaxModelUsd}).");
    }

    private AgentSettings AgentFor(CreateSessionRequest request, Preset? preset)
    {
        var agent = new AgentSettings
        {
            Model = request.Model ?? preset?.Model,
            SystemPrompt = preset?.SystemPrompt is { } first && request.SystemPrompt is { } then ? first.TrimEnd() + "\n\n" + then : request.SystemPrompt ?? preset?.SystemPrompt,
            AllowedTools = preset is null ? request.AllowedTools : preset.AllowedTools,
            DisallowedTools = preset is null ? request.DisallowedTools : preset.DisallowedTools,
            PermissionMode = preset is null ? request.PermissionMode : preset.PermissionMode,
            MaxTurns = request.MaxTurns ?? preset?.MaxTurns,
            Repository = request.Repository is { } repository
                ? new RepositorySpec { Url = repository.Url ?? throw SessionException.Invalid("repository.url", "repository.url is required."), Branch = repository.Branch }
                : null,
        };
        if (AgentSettingsRules.Problems(agent, sessions.Value.MaxContentLength).FirstOrDefault() is { } problem) throw problem.ToException();
        return agent;
    }

    /// <summary>The request's size (a tier or a guest) over the preset's, completed as Fly completes a guest.</summary>
    private GuestSpec? GuestFor(CreateSessionRequest request, Preset? preset)
    {
        var options = tiers.Value;
        if (PresetRules.SizeProblems(request.Tier, request.Guest, options).FirstOrDefault() is { } problem) throw problem.ToException();
        var guest = request.Guest
            ?? (request.Tier is { } tier ? options.GuestFor(tier) : null)
            ?? preset?.Guest
            ?? (preset?.Tier is { } presetTier ? options.GuestFor(presetTier) : null);
        return guest is null ? null : FlyGuests.Complete(guest);
    }

    private static IReadOnlyDictionary<string, string>? Merge(IReadOnlyDictionary<string, string>? preset, IReadOnlyDictionary<string, string>? request)
    {
        if (preset is null || request is null) return request ?? preset;
        var merged = new Dictionary<string, string>(preset);
        foreach (var (name, value) in request) merged[name] = value;
        return merged;
    }

    /// <summary>The session's own model key. The refusals describe it and never quote it.</summary>
    private static SecretText? ApiKeyOf(SecretText? secret)
    {
        if (secret?.Value is not { } key) return null;
        if (string.IsNullOrWhiteSpace(key)) throw SessionException.Invalid("api_key", "api_key must not be blank.");
        if (key.Length > MaxApiKeyLength) throw SessionException.Invalid("api_key", $"api_key may be at most {MaxApiKeyLength} characters.");
        if (key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw SessionException.Invalid("api_key", "api_key must not contain spaces or control characters.");
        return secret;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>The body of <c>POST /sessions</c>. A field it does not know (a typo: <c>promt</c>) is a 400, not ignored.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateSessionRequest
{
    public string? Prompt { get; init; }

    /// <summary>The caller's own id makes the create idempotent: the same id again returns the same session.</summary>
    public string? SessionId { get; init; }

    public string? Runtime { get; init; }
    public string? Region { get; init; }
    public GuestSpec? Guest { get; init; }

    /// <summary>Handed to the machine only (API keys go here); never stored, logged or echoed.</summary>
    public Dictionary<string, string>? Env { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>A preset to start from (<c>GET /presets</c>); the fields below override it where it allows.</summary>
    public string? Preset { get; init; }

    public string? Model { get; init; }

    /// <summary>Appended to the preset's system prompt, if it has one.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Only without a preset: a preset's tools and permission mode are its own.</summary>
    public List<string>? AllowedTools { get; init; }

    public List<string>? DisallowedTools { get; init; }
    public string? PermissionMode { get; init; }

    /// <summary>At most the preset's, when it sets one.</summary>
    public int? MaxTurns { get; init; }

    /// <summary>A named machine size (Tiers), instead of a <see cref="Guest"/>.</summary>
    public string? Tier { get; init; }

    /// <summary>
    /// A model key for this session only. Never stored in clear, logged or echoed, not even in an error; read
    /// straight into a <see cref="SecretText"/>, so not even this record's ToString shows it.
    /// </summary>
    [JsonConverter(typeof(SecretTextConverter))]
    public SecretText? ApiKey { get; init; }

    public WorkspaceSpec? Workspace { get; init; }
    public RepositoryRequest? Repository { get; init; }

    /// <summary>The session's budget of machine running time, in whole seconds (see Cost/MachineBudget); at most a preset's.</summary>
    public long? MaxMachineSeconds { get; init; }

    /// <summary><c>session</c> (the default) or <c>task</c>: one-shot, the session ends once its turns are done (see SessionModes).</summary>
    public string? Mode { get; init; }

    /// <summary>The wall-clock limit of each turn, in whole seconds (see Sessions/Rules/TurnTimeLimit); at most a preset's.</summary>
    public long? MaxTurnSeconds { get; init; }
    /// <summary>The session's budget of model spend, in US dollars (see Cost/ModelBudget); at most a preset's.</summary>
    public decimal? MaxModelUsd { get; init; }
}

/// <summary>
/// A secret as a JSON string; a value of another type is refused by its path, without being quoted. Written as
/// it is: only a client writes it, into the request body that carries the key to the node.
/// </summary>
public sealed class SecretTextConverter : JsonConverter<SecretText>
{
    public override SecretText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? new SecretText(reader.GetString()!) : throw new JsonException(); // no message: System.Text.Json says which field

    public override void Write(Utf8JsonWriter writer, SecretText value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

/// <summary>A git repository cloned into the workspace before the first turn.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RepositoryRequest(string? Url, string? Branch);

/// <summary>The body of <c>POST /sessions/{id}/messages</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SendMessageRequest(string? Content);

public sealed record SendMessageResponse(string SessionId, int Turn);

/// <summary>The answer to <c>POST /sessions/{id}/interrupt</c>: the turn that is being stopped.</summary>
public sealed record InterruptResponse(string SessionId, int Turn);

public sealed record SessionList(IReadOnlyList<SessionView> Sessions, string? NextCursor);

using System.Text.Json;

namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>, as much of OpenAI's as the adapter reads. Other fields (temperature,
/// tools, …) are accepted and ignored, as OpenAI-compatible servers do: the agent's own settings come from its preset.
/// </summary>
public sealed record ChatCompletionRequest
{
    /// <summary>A preset's id, or a runtime's name (<c>GET /v1/models</c>); ignored when a session is continued.</summary>
    public string? Model { get; init; }

    public List<ChatMessage>? Messages { get; init; }
    public bool? Stream { get; init; }
    public ChatStreamOptions? StreamOptions { get; init; }

    /// <summary>A session id to continue, when no <c>X-Session-ID</c> header or <c>metadata.session_id</c> names one.</summary>
    public string? User { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary>One message of the conversation; only the last user message is read (the session keeps the history).</summary>
/// <param name="Content">A string, or an array of content parts of which only <c>text</c> ones are understood.</param>
public sealed record ChatMessage(string? Role, JsonElement Content);

public sealed record ChatStreamOptions(bool? IncludeUsage);

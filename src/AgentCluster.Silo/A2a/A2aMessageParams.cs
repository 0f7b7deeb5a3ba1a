using System.Text;
using System.Text.Json;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// What the adapter reads of <c>SendMessage</c>'s params (v1) or <c>message/send</c>'s (v0.3): the message's text parts
/// (the turn's prompt), its <c>contextId</c> (the session) or <c>taskId</c> (whose session it then is), the preset or
/// runtime a new context starts with (<c>metadata.preset</c> / <c>metadata.runtime</c>, of the message or the request),
/// and whether to answer before the turn is done (v1 <c>configuration.returnImmediately</c>, v0.3
/// <c>configuration.blocking: false</c>; either is understood in both).
/// </summary>
public sealed record A2aMessageParams(string Prompt, string? ContextId, string? Preset, string? Runtime, bool ReturnImmediately)
{
    /// <exception cref="A2aException">-32602 naming the field at fault; -32005 for a part that is not text; -32003 for a push config.</exception>
    public static A2aMessageParams Read(JsonElement @params)
    {
        if (!@params.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            throw Invalid("params.message", "params.message is required: {\"role\": \"ROLE_USER\", \"parts\": [{\"text\": \"...\"}], \"messageId\": \"...\"}.");
        var configuration = @params.TryGetProperty("configuration", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        if (configuration.ValueKind == JsonValueKind.Object &&
            (Has(configuration, "taskPushNotificationConfig") || Has(configuration, "pushNotificationConfig")))
            throw new A2aException(new JsonRpcError(JsonRpcError.PushNotificationNotSupported,
                "This agent sends no push notifications: stream the task (SendStreamingMessage) or poll it (GetTask)."));

        var contextId = String(message, "contextId", "params.message.contextId");
        if (String(message, "taskId", "params.message.taskId") is { } taskId)
        {
            // A message naming a task continues that task's context: its turn is a new task of the same session.
            if (TaskIds.Parse(taskId) is not { } task)
                throw new A2aException(new JsonRpcError(JsonRpcError.TaskNotFound, $"There is no task '{taskId}'."));
            if (contextId is not null && contextId != task.SessionId)
                throw Invalid("params.message.contextId", $"contextId '{contextId}' is not the context of task '{taskId}' ('{task.SessionId}').");
            contextId = task.SessionId;
        }

        return new A2aMessageParams(
            TextOf(message),
            contextId,
            Metadata(message, @params, "preset"),
            Metadata(message, @params, "runtime"),
            configuration.ValueKind == JsonValueKind.Object &&
            (configuration.TryGetProperty("returnImmediately", out var now) && now.ValueKind == JsonValueKind.True ||
             configuration.TryGetProperty("blocking", out var blocking) && blocking.ValueKind == JsonValueKind.False));
    }

    /// <summary>The text parts, joined: v1's <c>{"text": …}</c> and v0.3's <c>{"kind": "text", "text": …}</c>.</summary>
    private static string TextOf(JsonElement message)
    {
        if (!message.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
            throw Invalid("params.message.parts", "params.message.parts is required: a list of text parts.");
        var text = new StringBuilder();
        var index = 0;
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
                throw Invalid($"params.message.parts[{index}]", "Each part must be an object such as {\"text\": \"...\"}.");
            if (part.TryGetProperty("text", out var said) && said.ValueKind == JsonValueKind.String &&
                (!part.TryGetProperty("kind", out var kind) || kind.ValueEquals("text")))
                text.Append(said.GetString());
            else
                throw new A2aException(new JsonRpcError(JsonRpcError.ContentTypeNotSupported,
                    $"params.message.parts[{index}] is not a text part: this agent takes text (text/plain) only.",
                    new() { ["field"] = $"params.message.parts[{index}]" }));
            index++;
        }
        return text.Length > 0 ? text.ToString() : throw Invalid("params.message.parts", "The message has no text: it is the agent's prompt.");
    }

    private static string? Metadata(JsonElement message, JsonElement @params, string name)
    {
        foreach (var (holder, path) in new[] { (message, "params.message.metadata"), (@params, "params.metadata") })
            if (holder.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object &&
                String(metadata, name, $"{path}.{name}") is { } value)
                return value;
        return null;
    }

    private static string? String(JsonElement holder, string name, string field)
    {
        if (!holder.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw Invalid(field, $"{field} must be a string.");
        return value.GetString() is { Length: > 0 } text ? text : null;
    }

    private static bool Has(JsonElement holder, string name) =>
        holder.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null;

    private static A2aException Invalid(string field, string message) => new(JsonRpcError.Invalid(field, message));
}

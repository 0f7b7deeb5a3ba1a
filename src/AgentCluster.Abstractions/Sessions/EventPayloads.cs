using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// The payload of each event type (see <see cref="EventTypes"/>) as the JSON text an event carries: one
/// definition for the session, which writes some of them, and the agent, which writes the others.
/// </summary>
public static class EventPayloads
{
    public static string Status(string status, string? reason) => Json(new StatusPayload(status, reason));

    public static string UserMessage(string content) => Json(new UserMessagePayload(content));

    public static string Output(string stream, string text) => Json(new OutputPayload(stream, text));

    /// <param name="input">The tool's input as JSON text.</param>
    public static string ToolUse(string id, string name, string input) => Json(new ToolUsePayload(id, name, input));

    public static string ToolResult(string toolUseId, string content, bool isError) => Json(new ToolResultPayload(toolUseId, content, isError));

    /// <param name="outcome"><c>success</c>, <c>error</c> or <c>interrupted</c>.</param>
    public static string TurnCompleted(string outcome, int? exitCode) => Json(new TurnCompletedPayload(outcome, exitCode));

    public static string Error(string message) => Json(new ErrorPayload(message));

    private static string Json<T>(T payload) => JsonSerializer.Serialize(payload, ProtocolJson.Options);

    private sealed record StatusPayload(string Status, string? Reason);

    private sealed record UserMessagePayload(string Content);

    private sealed record OutputPayload(string Stream, string Text);

    private sealed record ToolUsePayload(string Id, string Name, [property: JsonConverter(typeof(RawJsonConverter))] string Input);

    private sealed record ToolResultPayload(string ToolUseId, string Content, bool IsError);

    private sealed record TurnCompletedPayload(string Outcome, int? ExitCode);

    private sealed record ErrorPayload(string Message);
}

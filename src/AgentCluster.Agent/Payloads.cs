using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent;

/// <summary>The payloads of the events the agent sends (see <see cref="EventTypes"/>), as the JSON text an AgentEvent carries.</summary>
internal static class Payloads
{
    public static string Output(string stream, string text) => Json(new OutputPayload(stream, text));

    public static string ToolUse(string id, string name, string input) => Json(new ToolUsePayload(id, name, input));

    public static string ToolResult(string toolUseId, string content, bool isError) => Json(new ToolResultPayload(toolUseId, content, isError));

    public static string TurnCompleted(string outcome, int? exitCode) => Json(new TurnCompletedPayload(outcome, exitCode));

    public static string Error(string message) => Json(new ErrorPayload(message));

    private static string Json<T>(T payload) => JsonSerializer.Serialize(payload, ProtocolJson.Options);

    private sealed record OutputPayload(string Stream, string Text);

    private sealed record ToolUsePayload(string Id, string Name, [property: JsonConverter(typeof(RawJsonConverter))] string Input);

    private sealed record ToolResultPayload(string ToolUseId, string Content, bool IsError);

    private sealed record TurnCompletedPayload(string Outcome, int? ExitCode);

    private sealed record ErrorPayload(string Message);
}

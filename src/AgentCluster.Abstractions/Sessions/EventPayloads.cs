using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// The payload of each event type (see <see cref="EventTypes"/>) as the JSON text an event carries: one
/// definition for the session, which writes some of them, and the agent, which writes the others.
/// </summary>
public static partial class EventPayloads
{
    /// <param name="queuePosition">
    /// A starting session waiting for Fly's machine-create budget: how many creates go before its own (0: it is next).
    /// </param>
    public static string Status(SessionStatus status, TerminationReason? reason, int? queuePosition = null) =>
        Json(new StatusPayload(status, reason?.Name(), queuePosition));

    /// <summary>A status that is not the end, with why it came: <paramref name="reason"/> one of <see cref="StatusReasons"/>.</summary>
    public static string StatusBecause(SessionStatus status, string reason) => Json(new StatusPayload(status, reason));

    public static string UserMessage(string content) => Json(new UserMessagePayload(content));

    /// <param name="delta">
    /// A fragment of model text as it is generated (<c>"delta": true</c>); the complete block follows as its own
    /// event without it, so a reader that wants whole text skips the fragments.
    /// </param>
    public static string Output(string stream, string text, bool delta = false) => Json(new OutputPayload(stream, text, delta ? true : null));

    /// <param name="input">The tool's input as JSON text.</param>
    public static string ToolUse(string id, string name, string input) => Json(new ToolUsePayload(id, name, input));

    public static string ToolResult(string toolUseId, string content, bool isError) => Json(new ToolResultPayload(toolUseId, content, isError));

    /// <param name="outcome">One of <see cref="TurnOutcomes"/>.</param>
    public static string TurnCompleted(string outcome, int? exitCode, string? reason = null) => Json(new TurnCompletedPayload(outcome, exitCode, reason));

    /// <summary>A model runtime's turn: how many model round trips it took, the tokens it used and what it cost.</summary>
    /// <param name="deniedTools">Tool calls the session's permissions refused in the turn; null (left out) when none were.</param>
    public static string TurnCompleted(string outcome, string? reason, int? numTurns, TokenUsage? usage, decimal? costUsd, int? deniedTools = null) =>
        Json(new TurnCompletedPayload(outcome, ExitCode: null, reason, numTurns, usage, costUsd, deniedTools));

    public static string Error(string message) => Json(new ErrorPayload(message));

    public static string Exec(string command, int? exitCode, string via) => Json(new ExecPayload(command, exitCode, via));

    /// <param name="kind">One of <see cref="WarningKinds"/>.</param>
    /// <param name="at">When what is announced happens, unless the agent speaks first.</param>
    public static string Warning(string kind, string message, DateTimeOffset at, int? turn = null) => Json(new WarningPayload(kind, message, at, turn));

    /// <summary>A <see cref="WarningKinds.Budget"/> warning: how much of its budget the session's machine has used.</summary>
    /// <param name="at">When the budget runs out if the machine keeps running.</param>
    public static string BudgetWarning(string message, DateTimeOffset at, double machineSeconds, long maxMachineSeconds) =>
        Json(new WarningPayload(WarningKinds.Budget, message, at, Turn: null, Math.Round(machineSeconds, 1), maxMachineSeconds));

    /// <summary>A <see cref="WarningKinds.ModelBudget"/> warning: the session's model calls have spent its budget.</summary>
    public static string ModelBudgetWarning(string message, DateTimeOffset at, decimal modelCostUsd, decimal maxModelUsd) =>
        Json(new WarningPayload(WarningKinds.ModelBudget, message, at, Turn: null, ModelCostUsd: modelCostUsd, MaxModelUsd: maxModelUsd));

    // Source-generated (ProtocolJson's conventions), so that the agent can be compiled ahead of time (Native AOT).
    private static string Json<T>(T payload) => JsonSerializer.Serialize(payload, (JsonTypeInfo<T>)PayloadJson.Default.GetTypeInfo(typeof(T))!);

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
        PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(StatusPayload))]
    [JsonSerializable(typeof(UserMessagePayload))]
    [JsonSerializable(typeof(OutputPayload))]
    [JsonSerializable(typeof(ToolUsePayload))]
    [JsonSerializable(typeof(ToolResultPayload))]
    [JsonSerializable(typeof(TurnCompletedPayload))]
    [JsonSerializable(typeof(TokenUsage))]
    [JsonSerializable(typeof(ErrorPayload))]
    [JsonSerializable(typeof(ExecPayload))]
    [JsonSerializable(typeof(WarningPayload))]
    private sealed partial class PayloadJson : JsonSerializerContext;

    // The reason by its wire name: a TerminationReason's (as it always was), or one of StatusReasons.
    private sealed record StatusPayload(SessionStatus Status, string? Reason, int? QueuePosition = null);

    private sealed record UserMessagePayload(string Content);

    private sealed record OutputPayload(string Stream, string Text, bool? Delta = null);

    private sealed record ToolUsePayload(string Id, string Name, [property: JsonConverter(typeof(RawJsonConverter))] string Input);

    private sealed record ToolResultPayload(string ToolUseId, string Content, bool IsError);

    private sealed record TurnCompletedPayload(string Outcome, int? ExitCode, string? Reason,
        int? NumTurns = null, TokenUsage? Usage = null, decimal? CostUsd = null, int? DeniedTools = null);

    private sealed record ErrorPayload(string Message);

    private sealed record ExecPayload(string Command, int? ExitCode, string Via);

    private sealed record WarningPayload(string Kind, string Message, DateTimeOffset At, int? Turn,
        double? MachineSeconds = null, long? MaxMachineSeconds = null, decimal? ModelCostUsd = null, decimal? MaxModelUsd = null);
}

using System.Reflection;
using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>Where a session is in its life. On the wire (JSON, events, stored state) by its snake_case name.</summary>
[GenerateSerializer, JsonConverter(typeof(JsonStringEnumConverter<SessionStatus>))]
public enum SessionStatus
{
    /// <summary>The machine is being created or is booting; the agent has not called in yet.</summary>
    [JsonStringEnumMemberName("starting")] Starting,

    /// <summary>A turn is in progress (or queued for the agent).</summary>
    [JsonStringEnumMemberName("running")] Running,

    /// <summary>Every turn is done; the agent waits for a message.</summary>
    [JsonStringEnumMemberName("idle")] Idle,

    /// <summary>Idle for long enough that its machine was stopped (not destroyed); the next message starts it again.</summary>
    [JsonStringEnumMemberName("sleeping")] Sleeping,

    /// <summary>Over for good: see the reason. The machine is destroyed.</summary>
    [JsonStringEnumMemberName("terminated")] Terminated,
}

/// <summary>Why a session was terminated. On the wire by its snake_case name.</summary>
[GenerateSerializer, JsonConverter(typeof(JsonStringEnumConverter<TerminationReason>))]
public enum TerminationReason
{
    /// <summary>A task (<c>mode: task</c>) whose last turn succeeded.</summary>
    [JsonStringEnumMemberName("completed")] Completed,

    /// <summary>A task whose last turn did not succeed, or a session whose machine Fly rejected.</summary>
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>The agent stopped calling in (no heartbeat within the TTL): its machine was reaped.</summary>
    [JsonStringEnumMemberName("expired")] Expired,

    /// <summary>Asleep for longer than the retention timeout: nobody came back for it.</summary>
    [JsonStringEnumMemberName("idle")] Idle,

    [JsonStringEnumMemberName("deleted")] Deleted,

    /// <summary>Its machine ran for the session's max_machine_seconds: stopped as a runaway, its machine destroyed.</summary>
    [JsonStringEnumMemberName("budget_exceeded")] BudgetExceeded,
}

/// <summary>The wire names of <see cref="SessionStatus"/> and <see cref="TerminationReason"/>, both ways: those their
/// <see cref="JsonStringEnumMemberNameAttribute"/>s give, read once.</summary>
public static class SessionWireNames
{
    private static readonly string[] Statuses = NamesOf<SessionStatus>();
    private static readonly string[] Reasons = NamesOf<TerminationReason>();

    public static string Name(this SessionStatus status) => Statuses[(int)status];

    public static string Name(this TerminationReason reason) => Reasons[(int)reason];

    public static SessionStatus? ParseStatus(string? name) => Array.IndexOf(Statuses, name) is var i and >= 0 ? (SessionStatus)i : null;

    public static TerminationReason? ParseReason(string? name) => Array.IndexOf(Reasons, name) is var i and >= 0 ? (TerminationReason)i : null;

    private static string[] NamesOf<T>() where T : struct, Enum =>
        [.. Enum.GetValues<T>().Select(v => typeof(T).GetField(v.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name)];
}

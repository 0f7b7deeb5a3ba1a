using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Abstractions.Agents;

/// <summary>
/// Events the agent pushes, each with the agent's own sequence number (1, 2, 3, … per session). A batch may
/// be sent again until it is acknowledged: the session stores each sequence number once.
/// </summary>
/// <param name="Instance">Random per agent process, so the session can tell a restarted agent from a retry.</param>
[GenerateSerializer, Immutable, Alias("AgentCluster.AgentEventBatch")]
public sealed record AgentEventBatch(
    [property: Id(0)] string Instance,
    [property: Id(1)] IReadOnlyList<AgentEvent> Events);

[GenerateSerializer, Immutable, Alias("AgentCluster.AgentEvent")]
public sealed record AgentEvent
{
    [Id(0)] public required long Seq { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public int Turn { get; init; }
    [Id(3)] public DateTimeOffset? At { get; init; }

    [Id(4), JsonConverter(typeof(RawJsonConverter))]
    public required string Payload { get; init; }
}

/// <summary>
/// The session's answer to a push or heartbeat: every agent event up to <see cref="AckedSeq"/> is durable,
/// and the session's status (an agent whose session is <c>terminated</c> exits).
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.AgentAck")]
public sealed record AgentAck([property: Id(0)] long AckedSeq, [property: Id(1)] SessionStatus Status);

/// <summary>A turn for the agent to run.</summary>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the request that queued the turn, so that the agent's span for it joins that
/// request's trace; null when the node traces nothing. Never anything secret: trace and span ids and flags only.
/// </param>
[GenerateSerializer, Immutable, Alias("AgentCluster.AgentTurn")]
public sealed record AgentTurn(
    [property: Id(0)] int Turn,
    [property: Id(1)] string Content,
    [property: Id(2), JsonPropertyName("traceparent")] string? TraceParent = null);

/// <summary>The agent's heartbeat body.</summary>
public sealed record AgentHello(string Instance);

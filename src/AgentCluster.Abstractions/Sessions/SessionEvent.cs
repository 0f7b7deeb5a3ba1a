using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// One entry of a session's ordered log. <see cref="Seq"/> is the session's own sequence number (the SSE
/// <c>id:</c>); <see cref="Payload"/> is the type's JSON object, kept as raw JSON text.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.SessionEvent")]
public sealed record SessionEvent
{
    [Id(0)] public required long Seq { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public int Turn { get; init; }
    [Id(3)] public DateTimeOffset At { get; init; }

    [Id(4), JsonConverter(typeof(RawJsonConverter))]
    public required string Payload { get; init; }
}

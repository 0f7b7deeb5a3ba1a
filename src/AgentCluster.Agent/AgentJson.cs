using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent;

/// <summary>
/// The agent protocol's JSON, generated at compile time with <see cref="ProtocolJson"/>'s settings. The
/// reflection-based serializer builds its metadata and converters on first use, which a fresh agent process
/// pays for on its first poll and its first push: on the path to the session's first output.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentTurn))]
[JsonSerializable(typeof(AgentAck))]
[JsonSerializable(typeof(AgentEventBatch))]
[JsonSerializable(typeof(AgentHello))]
[JsonSerializable(typeof(AgentSetup))]
[JsonSerializable(typeof(AgentInterrupt))]
[JsonSerializable(typeof(AgentClaim))]
internal sealed partial class AgentJson : JsonSerializerContext;

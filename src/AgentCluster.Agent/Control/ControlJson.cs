using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Control;
using Microsoft.AspNetCore.Mvc;

namespace AgentCluster.Agent.Control;

/// <summary>
/// The control protocol's JSON (<see cref="ControlProtocol"/>), generated at compile time with
/// <see cref="Abstractions.Agents.ProtocolJson"/>'s settings: the agent's code stays free of reflection-based JSON.
/// ProblemDetails too: the framework's own writer finds no type information for it in a Native AOT build (a 500 with no body).
/// Apart from <see cref="AgentJson"/>, whose types a fresh agent needs on its first turn's path; these it never does.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(FileList))]
[JsonSerializable(typeof(FileWritten))]
[JsonSerializable(typeof(ArchiveUnpacked))]
[JsonSerializable(typeof(ExecRequest))]
[JsonSerializable(typeof(ExecResult))]
[JsonSerializable(typeof(ExecOutputEvent))]
[JsonSerializable(typeof(ExecExitEvent))]
[JsonSerializable(typeof(ProblemDetails))]
internal sealed partial class ControlJson : JsonSerializerContext;

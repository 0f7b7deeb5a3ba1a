using System.Text.Json.Serialization;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>What a session starts from. <see cref="Env"/> goes to the machine only: it is never stored.</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.StartSession")]
public sealed record StartSession
{
    [Id(0)] public required string Prompt { get; init; }
    [Id(1)] public string? Runtime { get; init; }
    [Id(2)] public string? Region { get; init; }
    [Id(3)] public GuestSpec? Guest { get; init; }
    [Id(4)] public IReadOnlyDictionary<string, string>? Env { get; init; }
    [Id(5)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Who may see and drive the session through the front door: the name of the API key that created it.
    /// Null: <c>local</c>, the owner of a node without keys. A session id already started by another owner
    /// is refused (<see cref="SessionErrorKind.Conflict"/>).
    /// </summary>
    [Id(6)] public string? Owner { get; init; }

    /// <summary>The preset the request named (already resolved into the fields here), shown in the session's view.</summary>
    [Id(7)] public string? Preset { get; init; }

    /// <summary>The runtime's settings (model, system prompt, tools, …), resolved from the preset and the request.</summary>
    [Id(8)] public AgentSettings? Agent { get; init; }

    /// <summary>A model key for this session only, instead of the node's: stored encrypted, never logged or returned.</summary>
    [Id(9)] public SecretText? ApiKey { get; init; }

    /// <summary>The machine image, when the preset names one; else Sessions:AgentImage.</summary>
    [Id(10)] public string? Image { get; init; }

    /// <summary>This session's idle timeout, when the preset sets one; else Sessions:IdleTimeout.</summary>
    [Id(11)] public TimeSpan? IdleTimeout { get; init; }

    /// <summary>A persistent workspace (a Fly volume mounted at /workspace) for this session.</summary>
    [Id(12)] public WorkspaceSpec? Workspace { get; init; }

    /// <summary>
    /// The most machine-seconds the session may run (its machine running, not asleep): it warns at 80% and
    /// terminates with reason budget_exceeded at 100%. Null: the preset's, else Sessions:MaxMachineSeconds, else none.
    /// </summary>
    [Id(13)] public long? MaxMachineSeconds { get; init; }

    /// <summary><see cref="SessionModes"/>: null or <c>session</c>, today's session; <c>task</c>, one-shot.</summary>
    [Id(50)] public string? Mode { get; init; }

    /// <summary>The longest a turn may run, from when the agent takes it. Null: the preset's, else Sessions:MaxTurnSeconds, else none.</summary>
    [Id(51)] public long? MaxTurnSeconds { get; init; }
    /// <summary>
    /// The most the session's model calls may cost, in US dollars by the price table: once spent, its model gateway
    /// refuses further calls. Null: the preset's, else none.
    /// </summary>
    [Id(40)] public decimal? MaxModelUsd { get; init; }
}

/// <summary>
/// A persistent workspace: a Fly volume, mounted at <c>/workspace</c>. A named one outlives the session and
/// is reused by the next session of the same owner that names it (one session at a time).
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.WorkspaceSpec")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WorkspaceSpec
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public int? SizeGb { get; init; }
}

/// <summary>The machine size: Fly's guest (cpu_kind shared|performance, cpus, memory_mb).</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.GuestSpec")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)] // a misspelt field is an error, not a silent default
public sealed record GuestSpec
{
    [Id(0)] public string? CpuKind { get; init; }
    [Id(1)] public int? Cpus { get; init; }
    [Id(2)] public int? MemoryMb { get; init; }
}

[GenerateSerializer, Immutable, Alias("AgentCluster.StartResult")]
public sealed record StartResult([property: Id(0)] SessionView Session, [property: Id(1)] bool Created);

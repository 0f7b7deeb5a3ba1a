using System.Text.Json.Serialization;

namespace AgentCluster.Abstractions.Sessions;

/// <summary>A session as clients see it.</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.SessionView")]
public sealed record SessionView
{
    [Id(0)] public required string SessionId { get; init; }
    [Id(1)] public required SessionStatus Status { get; init; }
    [Id(2)] public TerminationReason? Reason { get; init; }
    [Id(3)] public string? MachineId { get; init; }
    [Id(4)] public string? Region { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(7)] public int Turns { get; init; }
    [Id(8)] public long LastEventId { get; init; }
    [Id(9)] public string? Runtime { get; init; }
    [Id(10)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// The API key name that owns the session (<see cref="StartSession.Owner"/>), for the front door's access
    /// check. Not shown to clients: a caller only ever sees its own sessions.
    /// </summary>
    [Id(11), JsonIgnore] public string? Owner { get; init; }

    [Id(12)] public string? Preset { get; init; }
    [Id(13)] public string? Model { get; init; }

    /// <summary>The name of the session's persistent workspace, if it has one.</summary>
    [Id(14)] public string? Workspace { get; init; }

    /// <summary>How long the session's machine has run (created or started, until stopped or destroyed), in seconds.</summary>
    [Id(15)] public double MachineSeconds { get; init; }

    /// <summary>An estimate of what that machine time cost, from the node's price table (Pricing), in US dollars.</summary>
    [Id(16)] public decimal CostUsd { get; init; }

    /// <summary>The session's budget of machine-seconds, when it has one: at 80% it warns, at 100% it terminates.</summary>
    [Id(17)] public long? MaxMachineSeconds { get; init; }

    /// <summary><c>session</c> or <c>task</c> (<see cref="SessionModes"/>).</summary>
    [Id(50)] public string? Mode { get; init; }

    /// <summary>The last finished turn: its outcome, final text, usage and cost; null until a turn has finished.</summary>
    [Id(51)] public TurnResult? Result { get; init; }

    /// <summary>Tool calls the runtime refused, over all the session's turns (each turn's in its <c>turn.completed</c>).</summary>
    [Id(52)] public int DeniedTools { get; init; }

    /// <summary>The wall-clock limit of each turn, when the session has one: past it the turn is interrupted and ends <c>timeout</c>.</summary>
    [Id(53)] public long? MaxTurnSeconds { get; init; }
    /// <summary>The tokens the session's model calls used, as its model gateway relayed them; null before the first.</summary>
    [Id(40)] public TokenUsage? ModelUsage { get; init; }

    /// <summary>What those calls cost by the price table (ModelPrices), in US dollars, beside the machine's <see cref="CostUsd"/>.</summary>
    [Id(41)] public decimal ModelCostUsd { get; init; }

    /// <summary>The session's model budget, when it has one: once spent, its model gateway refuses further calls.</summary>
    [Id(42)] public decimal? MaxModelUsd { get; init; }
}

namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// The last finished turn, as <c>GET /sessions/{id}</c> shows it (<see cref="SessionView.Result"/>): what a client
/// that polls needs to know without reading the event stream.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.TurnResult")]
public sealed record TurnResult
{
    [Id(0)] public int Turn { get; init; }

    /// <summary>One of <see cref="TurnOutcomes"/>.</summary>
    [Id(1)] public required string Outcome { get; init; }

    /// <summary>
    /// Model runtimes: the turn's final assistant text (its last complete <c>agent.output</c> text block). Shell:
    /// the last 4096 characters of its stdout and stderr lines. Null when the turn said nothing.
    /// </summary>
    [Id(2)] public string? Text { get; init; }

    [Id(3)] public string? Reason { get; init; }
    [Id(4)] public int? ExitCode { get; init; }
    [Id(5)] public TokenUsage? Usage { get; init; }
    [Id(6)] public decimal? CostUsd { get; init; }
    [Id(7)] public DateTimeOffset FinishedAt { get; init; }

    /// <summary>Tool calls the runtime refused in this turn (its preset's rules): why nothing happened, when nothing did.</summary>
    [Id(8)] public int DeniedTools { get; init; }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Fly.Models;

/// <summary>Spec <c>MachineEvent</c>: newest first; <c>timestamp</c> in Unix milliseconds.</summary>
public sealed record MachineEvent
{
    public string? Id { get; init; }
    public string? Type { get; init; }
    public string? Status { get; init; }
    public string? Source { get; init; }
    public long Timestamp { get; init; }
    public MachineEventRequest? Request { get; init; }
}

/// <summary>The free-form <c>request</c> of an event; exit events carry <see cref="ExitEvent"/>.</summary>
public sealed record MachineEventRequest
{
    public ExitEvent? ExitEvent { get; init; }
    public int? RestartCount { get; init; }
    public string? Reason { get; init; }

    /// <summary>Older payloads nest the exit under <c>MonitorEvent</c>; fly-go reads both.</summary>
    [JsonPropertyName("MonitorEvent")]
    public MonitorEvent? MonitorEvent { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    [JsonIgnore]
    public ExitEvent? Exit => ExitEvent ?? MonitorEvent?.ExitEvent;
}

public sealed record MonitorEvent
{
    public ExitEvent? ExitEvent { get; init; }
}

public sealed record ExitEvent
{
    public bool RequestedStop { get; init; }
    public bool Restarting { get; init; }
    public int GuestExitCode { get; init; }
    public int GuestSignal { get; init; }
    public string? GuestError { get; init; }
    public int ExitCode { get; init; }

    /// <summary>-1 when the process was not killed by a signal.</summary>
    public int Signal { get; init; } = -1;

    public string? Error { get; init; }
    public bool OomKilled { get; init; }
    public string? ExitedAt { get; init; }
}

using System.Text.Json.Serialization;
using AgentCluster.Fly.Json;

namespace AgentCluster.Fly.Models;

/// <summary>Spec <c>CreateMachineRequest</c>; only <c>config.image</c> is mandatory.</summary>
public sealed record CreateMachineRequest
{
    public required MachineConfig Config { get; init; }
    public string? Name { get; init; }
    public string? Region { get; init; }
    public bool? SkipLaunch { get; init; }
    public bool? SkipServiceRegistration { get; init; }
    public bool? SkipSecrets { get; init; }
    public int? MinSecretsVersion { get; init; }

    /// <summary>Acquire a lease on the new machine atomically; the response carries its nonce.</summary>
    public int? LeaseTtl { get; init; }

    public bool? Lsvd { get; init; }
}

/// <summary>Spec <c>UpdateMachineRequest</c>: the full config (no partial updates); name and region are immutable.</summary>
public sealed record UpdateMachineRequest
{
    public required MachineConfig Config { get; init; }

    /// <summary>Optimistic concurrency: must equal the machine's current version, or Fly answers 409.</summary>
    public string? CurrentVersion { get; init; }

    public string? Name { get; init; }
    public string? Region { get; init; }
    public bool? SkipLaunch { get; init; }
    public bool? SkipServiceRegistration { get; init; }
    public bool? SkipSecrets { get; init; }
    public int? LeaseTtl { get; init; }
}

/// <summary>Spec <c>StopRequest</c>: signal (default SIGINT or the machine's stop_config) and timeout before SIGKILL.</summary>
public sealed record StopRequest
{
    public string? Signal { get; init; }

    [JsonConverter(typeof(GoDurationConverter))]
    public TimeSpan? Timeout { get; init; }
}

/// <summary>Spec <c>SignalRequest</c>. fly-go's Kill sends the number (<c>{"signal": 9}</c>); both are accepted.</summary>
public sealed record SignalRequest
{
    [JsonConverter(typeof(StringOrNumberConverter))]
    public required string Signal { get; init; }
}

/// <summary>Body of start: the state the machine was started from.</summary>
public sealed record StartMachineResponse
{
    public string? PreviousState { get; init; }
    public bool? Migrated { get; init; }
    public string? NewHost { get; init; }
}

/// <summary><c>{"ok": true}</c>, as stop, suspend, signal and destroy answer.</summary>
public sealed record OkResponse
{
    public bool Ok { get; init; }
}

/// <summary>Spec <c>WaitMachineResponse</c>.</summary>
public sealed record WaitMachineResponse
{
    public bool Ok { get; init; }
    public string? State { get; init; }
    public string? Version { get; init; }
    public string? EventId { get; init; }
}

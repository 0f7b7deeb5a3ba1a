using System.Text.Json;
using System.Text.Json.Serialization;
using AgentCluster.Fly.Json;

namespace AgentCluster.Fly.Models;

/// <summary>
/// Spec <c>fly.MachineConfig</c>: the fields the orchestrator uses are typed; everything else is kept
/// verbatim in <see cref="Extra"/> so a config read from Fly round-trips unchanged on update.
/// </summary>
public sealed record MachineConfig
{
    public string? Image { get; init; }
    public Dictionary<string, string>? Env { get; init; }
    public MachineInit? Init { get; init; }
    public MachineGuest? Guest { get; init; }
    public bool? AutoDestroy { get; init; }
    public MachineRestart? Restart { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    public StopConfig? StopConfig { get; init; }
    public IReadOnlyList<MachineService>? Services { get; init; }
    public Dictionary<string, MachineCheck>? Checks { get; init; }
    public IReadOnlyList<MachineMount>? Mounts { get; init; }
    public IReadOnlyList<MachineFile>? Files { get; init; }
    public JsonElement? Dns { get; init; }
    public string? Schedule { get; init; }
    public string? Size { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary><c>exec</c> overrides everything; <c>entrypoint</c>/<c>cmd</c> override the image's.</summary>
public sealed record MachineInit
{
    public IReadOnlyList<string>? Exec { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public bool? Tty { get; init; }
    public int? SwapSizeMb { get; init; }
    public IReadOnlyList<string>? KernelArgs { get; init; }
}

public sealed record MachineGuest
{
    public string? CpuKind { get; init; }
    public int? Cpus { get; init; }
    public int? MemoryMb { get; init; }
    public int? Gpus { get; init; }
    public string? GpuKind { get; init; }
    public int? MaxMemoryMb { get; init; }
    public IReadOnlyList<string>? KernelArgs { get; init; }
    public string? HostDedicationId { get; init; }

    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? PersistRootfs { get; init; }
}

/// <summary>Restart policy: <c>no</c>, <c>always</c>, <c>on-failure</c> (Fly's default) or <c>spot-price</c>.</summary>
public sealed record MachineRestart
{
    public string? Policy { get; init; }
    public int? MaxRetries { get; init; }
    public double? GpuBidPrice { get; init; }
}

/// <summary>Graceful stop: the signal to send (default SIGINT) and how long before SIGKILL (default 5 s).</summary>
public sealed record StopConfig
{
    public string? Signal { get; init; }

    [JsonConverter(typeof(GoDurationConverter))]
    public TimeSpan? Timeout { get; init; }
}

public sealed record MachineService
{
    public string? Protocol { get; init; }
    public int? InternalPort { get; init; }
    public IReadOnlyList<MachinePort>? Ports { get; init; }
    public bool? Autostart { get; init; }

    [JsonConverter(typeof(AutostopConverter))]
    public string? Autostop { get; init; }

    public int? MinMachinesRunning { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record MachinePort
{
    public int? Port { get; init; }
    public int? StartPort { get; init; }
    public int? EndPort { get; init; }
    public IReadOnlyList<string>? Handlers { get; init; }
    public bool? ForceHttps { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

public sealed record MachineCheck
{
    public string? Type { get; init; }
    public int? Port { get; init; }

    [JsonConverter(typeof(GoDurationConverter))]
    public TimeSpan? Interval { get; init; }

    [JsonConverter(typeof(GoDurationConverter))]
    public TimeSpan? Timeout { get; init; }

    [JsonConverter(typeof(GoDurationConverter))]
    public TimeSpan? GracePeriod { get; init; }

    public string? Method { get; init; }
    public string? Path { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>A volume mounted at <see cref="Path"/> (an absolute path in the machine). Fly allows one per machine.</summary>
public sealed record MachineMount
{
    /// <summary>The volume's id (<c>vol_…</c>).</summary>
    public string? Volume { get; init; }

    public string? Path { get; init; }
    public string? Name { get; init; }
    public int? SizeGb { get; init; }
    public bool? Encrypted { get; init; }

    /// <summary>Auto-extension: grow by <see cref="AddSizeGb"/> when this full, up to <see cref="SizeGbLimit"/>.</summary>
    public int? ExtendThresholdPercent { get; init; }

    public int? AddSizeGb { get; init; }
    public int? SizeGbLimit { get; init; }
}

public sealed record MachineFile
{
    public string? GuestPath { get; init; }
    public string? RawValue { get; init; }
    public string? SecretName { get; init; }
    public string? ImageConfig { get; init; }
    public int? Mode { get; init; }
}

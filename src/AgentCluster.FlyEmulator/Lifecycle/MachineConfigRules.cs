using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Processes;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// The checks Fly makes on a machine config (400 with a reason) and the defaults it fills in, so the
/// config echoed back looks like Fly's (guest 1 shared CPU with 256 MB, <c>dns: {}</c>).
/// </summary>
internal static class MachineConfigRules
{
    private static readonly int[] SharedCpus = [1, 2, 4, 6, 8];
    private static readonly int[] PerformanceCpus = [1, 2, 4, 6, 8, 10, 12, 14, 16, 32, 64, 128];
    private static readonly string[] RestartPolicies = ["no", "always", "on-failure", "spot-price"];
    public static readonly TimeSpan MaxStopTimeout = TimeSpan.FromSeconds(300);
    private static readonly System.Text.Json.JsonElement EmptyObject = System.Text.Json.JsonDocument.Parse("{}").RootElement.Clone();

    public static MachineConfig Normalize(MachineConfig? config)
    {
        if (config is null) throw FlyError.BadRequest("config is required");
        if (string.IsNullOrWhiteSpace(config.Image)) throw FlyError.BadRequest("invalid config: image is required");

        var guest = config.Guest ?? new MachineGuest();
        guest = guest with { CpuKind = guest.CpuKind ?? "shared", Cpus = guest.Cpus ?? 1 };
        guest = guest with { MemoryMb = guest.MemoryMb ?? (guest.CpuKind == "performance" ? 2048 : 256) * guest.Cpus };
        CheckGuest(guest);

        if (config.Restart?.Policy is { } policy && !RestartPolicies.Contains(policy))
            throw FlyError.BadRequest($"invalid restart policy '{policy}': must be one of no, always, on-failure, spot-price");
        if (config.Restart?.MaxRetries < 0) throw FlyError.BadRequest("restart.max_retries must not be negative");
        if (config.StopConfig?.Signal is { } signal && !PosixSignals.TryParse(signal, out _))
            throw FlyError.BadRequest($"invalid stop_config.signal '{signal}'");
        if (config.StopConfig?.Timeout is { } timeout && (timeout < TimeSpan.Zero || timeout > MaxStopTimeout))
            throw FlyError.BadRequest("stop_config.timeout must be between 0s and 5m0s");

        CheckMounts(config.Mounts);

        return config with
        {
            Guest = guest,
            Dns = config.Dns ?? EmptyObject,
        };
    }

    /// <summary>The shape of the mounts; whether the volumes may be mounted is <see cref="VolumeLifecycle.Attach"/>'s call.</summary>
    private static void CheckMounts(IReadOnlyList<MachineMount>? mounts)
    {
        if (mounts is not { Count: > 0 }) return;
        if (mounts.Count > 1) throw FlyError.BadRequest($"invalid config.mounts: a machine mounts at most one volume, not {mounts.Count}");
        var mount = mounts[0];
        if (string.IsNullOrEmpty(mount.Volume)) throw FlyError.BadRequest("invalid config.mounts[0]: volume is required");
        if (mount.Path is not { Length: > 1 } path || path[0] != '/')
            throw FlyError.BadRequest($"invalid config.mounts[0]: path '{mount.Path}' must be an absolute path other than /");
    }

    private static void CheckGuest(MachineGuest guest)
    {
        var (cpus, perCpuMin, perCpuMax, step) = guest.CpuKind switch
        {
            "shared" => (SharedCpus, 256, 2048, 256),
            "performance" => (PerformanceCpus, 2048, 8192, 1024),
            _ => throw FlyError.BadRequest($"invalid guest.cpu_kind '{guest.CpuKind}': must be shared or performance"),
        };
        if (!cpus.Contains(guest.Cpus!.Value))
            throw FlyError.BadRequest($"invalid guest.cpus {guest.Cpus} for cpu_kind {guest.CpuKind}: must be one of {string.Join(", ", cpus)}");
        var memory = guest.MemoryMb!.Value;
        if (memory < perCpuMin * guest.Cpus || memory > perCpuMax * guest.Cpus || memory % step != 0)
            throw FlyError.BadRequest(
                $"invalid guest.memory_mb {memory}: {guest.Cpus} {guest.CpuKind} CPU(s) take {perCpuMin * guest.Cpus}..{perCpuMax * guest.Cpus} MB in multiples of {step}");
    }

    /// <summary>
    /// Why Fly would not suspend a machine of this config (its suspend-resume requirements: no swap, no schedule,
    /// no GPU), or null when it would. More than 2 GB of memory is only discouraged there, so it is allowed here.
    /// </summary>
    public static string? SuspendRefusal(MachineConfig config)
    {
        if (config.Init?.SwapSizeMb > 0)
            return $"machine has swap configured (init.swap_size_mb {config.Init.SwapSizeMb}); only a machine without swap can be suspended";
        if (!string.IsNullOrEmpty(config.Schedule))
            return $"machine has a schedule ('{config.Schedule}'); only a machine without a schedule can be suspended";
        if (config.Guest?.Gpus > 0 || !string.IsNullOrEmpty(config.Guest?.GpuKind))
            return "machine has a GPU (guest.gpu_kind/gpus); only a machine without a GPU can be suspended";
        return null;
    }
}

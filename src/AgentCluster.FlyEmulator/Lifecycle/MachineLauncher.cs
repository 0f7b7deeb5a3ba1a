using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Processes;
using AgentCluster.FlyEmulator.State;
using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// Turns a machine's config into a local process: the command line Fly would run (init.exec overrides
/// everything; otherwise the image's entrypoint and cmd, each overridable by init), the environment Fly
/// injects, and the machine's own root filesystem as working directory (or its workspace on a volume: see
/// <see cref="MountNamespace"/>), as the unprivileged <see cref="MachineUser"/> when the emulator is root.
/// </summary>
internal sealed class MachineLauncher(IOptions<EmulatorOptions> options, EmulatorStore store)
{
    /// <summary>Where a native (AOT) build of the agent is looked for, beside the emulator's own files.</summary>
    public const string NativeAgentFolder = "native-agent";

    private static readonly ImageCommand DefaultImage = LocalAgent();

    private readonly Lazy<MachineUser?> user = new(() => MachineUser.For(options.Value.RunAs, System.Environment.IsPrivilegedProcess));

    /// <summary>
    /// The agent from the emulator's own folder: its native build when one was published into
    /// <see cref="NativeAgentFolder"/> (it starts in about 10 ms, where the JIT-compiled one needs 150 ms
    /// and more before its first output), else the build output, run by dotnet.
    /// </summary>
    private static ImageCommand LocalAgent()
    {
        var native = Path.Combine(AppContext.BaseDirectory, NativeAgentFolder, "AgentCluster.Agent");
        return File.Exists(native)
            ? new ImageCommand { Entrypoint = [native] }
            : new ImageCommand { Entrypoint = ["dotnet", Path.Combine(AppContext.BaseDirectory, "AgentCluster.Agent.dll")] };
    }

    public MachineProcess Launch(EmulatedMachine machine)
    {
        var launch = LaunchOf(machine, CommandLine(machine.Config), out var mounts);
        if (user.Value is { } owner)
        {
            // At every launch, not only when made: a volume outlives its machines, and may hold files put there as root.
            owner.Reach(store.DataDirectory);
            owner.Own(machine.RootfsDirectory);
            foreach (var volume in mounts.HostFolders) owner.Own(volume);
        }
        return MachineProcess.Start(launch);
    }

    /// <summary>A command run beside the main process (Fly's exec): the same environment, working directory and user.</summary>
    public ProcessLaunch ExecLaunch(EmulatedMachine machine, IReadOnlyList<string> argv) => LaunchOf(machine, argv, out _);

    private ProcessLaunch LaunchOf(EmulatedMachine machine, IReadOnlyList<string> argv, out MountNamespace mounts)
    {
        mounts = MountNamespace.Of(machine, store);
        var environment = Environment(machine);
        return new ProcessLaunch(argv, mounts.Translate(environment), mounts.WorkingDirectory(environment, machine.RootfsDirectory), machine.LogPath, user.Value);
    }

    public IReadOnlyList<string> CommandLine(MachineConfig config)
    {
        if (config.Init?.Exec is { Count: > 0 } exec) return exec;
        var image = ImageFor(config.Image ?? "");
        var argv = (config.Init?.Entrypoint ?? image.Entrypoint).Concat(config.Init?.Cmd ?? image.Cmd).ToList();
        if (argv.Count == 0) throw new MachineLaunchException($"image '{config.Image}' has no entrypoint or cmd to run");
        return argv;
    }

    private ImageCommand ImageFor(string image) =>
        options.Value.Images
            .Where(kv => Matches(kv.Key, image))
            .OrderByDescending(kv => kv.Key.Replace("*", "").Length)
            .Select(kv => kv.Value)
            .FirstOrDefault() ?? DefaultImage;

    private static bool Matches(string pattern, string image)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1) return pattern == image;
        if (!image.StartsWith(parts[0], StringComparison.Ordinal) || !image.EndsWith(parts[^1], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        foreach (var part in parts[1..^1])
        {
            var found = image.IndexOf(part, at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + part.Length;
        }
        return at <= image.Length - parts[^1].Length;
    }

    private static Dictionary<string, string> Environment(EmulatedMachine machine)
    {
        var config = machine.Config;
        var env = new Dictionary<string, string>(config.Env ?? []);
        var processGroup = config.Metadata?.GetValueOrDefault("fly_process_group") ?? "app";
        env["FLY_APP_NAME"] = machine.App.Name;
        env["FLY_MACHINE_ID"] = machine.Id;
        env["FLY_ALLOC_ID"] = machine.Id;
        env["FLY_REGION"] = machine.Region;
        env["FLY_IMAGE_REF"] = config.Image ?? "";
        env["FLY_MACHINE_VERSION"] = machine.Version;
        env["FLY_PRIVATE_IP"] = machine.PrivateIp;
        env["FLY_PROCESS_GROUP"] = processGroup;
        env["FLY_VM_MEMORY_MB"] = (config.Guest?.MemoryMb ?? 256).ToString(System.Globalization.CultureInfo.InvariantCulture);
        env.TryAdd("PRIMARY_REGION", machine.Region);
        env.TryAdd("HOME", machine.RootfsDirectory); // not the working directory, which may be a volume

        return env;
    }
}

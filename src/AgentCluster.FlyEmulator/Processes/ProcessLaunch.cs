namespace AgentCluster.FlyEmulator.Processes;

/// <summary>
/// What to run (an argv, not a shell string), with exactly this environment, in this directory, logging to this
/// file; as <paramref name="User"/> when set (the emulator is root), else as the emulator's own user.
/// </summary>
public sealed record ProcessLaunch(IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory, string LogPath, MachineUser? User = null);

/// <summary>How a process ended: its exit code, or the signal that killed it (then ExitCode is 128 + signal).</summary>
public readonly record struct ProcessExit(int ExitCode, int? Signal)
{
    /// <summary>From .NET's exit code, which reports a signal death as 128 + signal.</summary>
    public static ProcessExit Of(int code) => code > 128 && code < 128 + 65 ? new(code, code - 128) : new(code, null);
}

/// <summary>The exit of a requested stop, and whether the grace period ran out and SIGKILL was needed.</summary>
public readonly record struct StopResult(ProcessExit Exit, bool Killed);

/// <summary>The command cannot be started: Fly's "failed to launch".</summary>
public sealed class MachineLaunchException(string message) : Exception(message);

using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Processes;
using AgentCluster.FlyEmulator.State;
using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// Fly's exec (<c>POST /apps/{app}/machines/{id}/exec</c>, spec <c>Machines_exec</c>): a command run in a started machine
/// beside its main process, answered once it ended with its exit code, signal and output. The limits are the
/// emulator's choice, Fly publishing none for the API: <see cref="DefaultTimeoutSeconds"/> when the request gives no
/// timeout (flyctl's <c>machine exec</c> sends its own), at most <see cref="MaxTimeoutSeconds"/>, and
/// <see cref="MaxOutputBytes"/> of each stream.
/// </summary>
internal sealed class MachineExecs(MachineLauncher launcher, IOptions<EmulatorOptions> options, TimeProvider time)
{
    public const int DefaultTimeoutSeconds = 60;
    public const int MaxTimeoutSeconds = 3600;
    public const int MaxOutputBytes = 1024 * 1024;

    /// <param name="aborted">The caller went away: the command is killed.</param>
    public async Task<MachineExecResponse> RunAsync(EmulatedMachine m, MachineExecRequest request, CancellationToken aborted)
    {
        var argv = ArgvOf(request);
        var timeout = TimeoutOf(request);
        ProcessLaunch launch;
        CancellationToken runEnded;
        lock (m.Sync)
        {
            if (m.State != MachineStates.Started || m.Frozen) throw FlyError.CannotFrom("exec", m.State);
            if (!options.Value.RunProcesses) throw FlyError.FailedPrecondition("this emulator runs no processes (RunProcesses=false): there is nothing to exec in");
            launch = launcher.ExecLaunch(m, argv);
            runEnded = m.RunEnded;
        }
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(runEnded, aborted);
        ExecOutcome outcome;
        try
        {
            outcome = await ExecProcess.RunAsync(launch, request.Stdin, timeout, MaxOutputBytes, time, stopped.Token);
        }
        catch (Exception e) when (e is MachineLaunchException or System.ComponentModel.Win32Exception)
        {
            // As a shell answers a command it cannot run.
            return new MachineExecResponse { ExitCode = 127, ExitSignal = 0, Stdout = "", Stderr = e.Message + "\n" };
        }
        return new MachineExecResponse
        {
            ExitCode = outcome.Exit.ExitCode,
            ExitSignal = outcome.Exit.Signal ?? 0,
            Stdout = outcome.Stdout,
            Stderr = outcome.Stderr,
        };
    }

    /// <summary><c>command</c> (the argv) wins; else the deprecated <c>cmd</c>, split like a shell's words.</summary>
    private static List<string> ArgvOf(MachineExecRequest request)
    {
        if (request.Command is { Count: > 0 } command) return command;
        if (string.IsNullOrWhiteSpace(request.Cmd)) throw FlyError.BadRequest("command is required");
        try
        {
            return ShellWords.Split(request.Cmd);
        }
        catch (FormatException e)
        {
            throw FlyError.BadRequest($"invalid cmd: {e.Message}");
        }
    }

    private static TimeSpan TimeoutOf(MachineExecRequest request) => request.Timeout switch
    {
        null or 0 => TimeSpan.FromSeconds(DefaultTimeoutSeconds),
        < 0 or > MaxTimeoutSeconds => throw FlyError.BadRequest($"invalid timeout {request.Timeout}: must be between 1 and {MaxTimeoutSeconds} seconds"),
        { } seconds => TimeSpan.FromSeconds(seconds),
    };
}

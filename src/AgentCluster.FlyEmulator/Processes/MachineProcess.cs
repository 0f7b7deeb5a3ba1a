using System.Diagnostics;

namespace AgentCluster.FlyEmulator.Processes;

/// <summary>
/// A machine's main process, started as the leader of its own session and process group (through setsid),
/// so that a signal, a stop or a kill reaches the whole tree it spawned, as on a VM that shuts down.
/// Linux only, like Fly's machines.
/// </summary>
public sealed class MachineProcess : IAsyncDisposable
{
    private const string Setsid = "/usr/bin/setsid";
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly Task pumps;
    private readonly Task mainExited;
    private readonly string? machineId;
    private int killed;

    private MachineProcess(Process process, StreamWriter log, string? machineId)
    {
        this.process = process;
        this.log = log;
        this.machineId = machineId;
        Pid = process.Id;
        pumps = Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
        mainExited = process.WaitForExitAsync();
        Exited = WaitForExitAsync();
    }

    public int Pid { get; }

    /// <summary>Completes once, when the main process has exited and its output is flushed.</summary>
    public Task<ProcessExit> Exited { get; }

    public static MachineProcess Start(ProcessLaunch launch)
    {
        var info = StartInfo(launch, out var useSetsid);
        Directory.CreateDirectory(launch.WorkingDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(launch.LogPath)!);

        var log = new StreamWriter(new FileStream(launch.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        try
        {
            var process = Process.Start(info) ?? throw new MachineLaunchException($"could not start {launch.Argv[0]}");
            process.StandardInput.Close();
            if (useSetsid) AwaitOwnProcessGroup(process);
            return new MachineProcess(process, log, launch.Environment.GetValueOrDefault("FLY_MACHINE_ID"));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log.Dispose();
            throw new MachineLaunchException($"exec {launch.Argv[0]}: {e.Message}");
        }
    }

    /// <summary>
    /// How <paramref name="launch"/> starts, all streams redirected: through setsid when the host has it
    /// (<paramref name="ownGroup"/>), so that it leads its own session and process group, whose id is its pid.
    /// </summary>
    /// <exception cref="MachineLaunchException">No command, or no such program.</exception>
    internal static ProcessStartInfo StartInfo(ProcessLaunch launch, out bool ownGroup)
    {
        if (launch.Argv.Count == 0) throw new MachineLaunchException("no command to run");
        var executable = Resolve(launch.Argv[0], launch.Environment)
            ?? throw new MachineLaunchException($"exec {launch.Argv[0]}: no such file or directory, or not executable");
        ownGroup = File.Exists(Setsid);
        var info = new ProcessStartInfo(ownGroup ? Setsid : executable)
        {
            WorkingDirectory = launch.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            UserName = launch.User?.Name,
        };
        if (ownGroup) info.ArgumentList.Add(executable);
        foreach (var arg in launch.Argv.Skip(1)) info.ArgumentList.Add(arg);
        info.Environment.Clear();
        foreach (var (key, value) in launch.Environment) info.Environment[key] = value;
        info.Environment.TryAdd("PATH", Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin");
        info.Environment.TryAdd("HOME", launch.WorkingDirectory);
        return info;
    }

    /// <summary>Signals the whole process group (the pid leads it); the pid alone if it has no group of its own.</summary>
    public void Signal(int signal)
    {
        if (!process.HasExited && Libc.kill(-Pid, signal) != 0) _ = Libc.kill(Pid, signal);
    }

    /// <summary>
    /// setsid makes the group only once it runs: until then a signal to the group would reach nobody.
    /// Bounded: a process that never gets there is still signalled by pid.
    /// </summary>
    private static void AwaitOwnProcessGroup(Process process)
    {
        var until = Environment.TickCount64 + 2000;
        while (Environment.TickCount64 < until && !process.HasExited && ProcessGroupOf(process.Id) != process.Id)
            Thread.Sleep(1);
    }

    private static int ProcessGroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/>, waits up to <paramref name="timeout"/> for the main process, then SIGKILLs the
    /// tree; what it leaves (children that outlived it) goes too, and its exit is known once its output is all read.
    /// </summary>
    public async Task<StopResult> StopAsync(int signal, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        Signal(signal);
        var killedIt = false;
        try
        {
            await mainExited.WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            killedIt = true;
        }
        Kill();
        return new StopResult(await Exited, killedIt);
    }

    /// <summary>
    /// SIGKILL to the group, a walk of the tree for anything that left the group, and the machine's stragglers: what
    /// left its tree too (<see cref="MachineStragglers"/>).
    /// </summary>
    public void Kill()
    {
        if (Interlocked.Exchange(ref killed, 1) == 1) return;
        KillGroup();
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        if (machineId is not null) MachineStragglers.Kill(machineId);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        KillGroup();
        await Exited;
        process.Dispose();
    }

    private void KillGroup() => _ = Libc.kill(-Pid, PosixSignals.SIGKILL);

    private async Task<ProcessExit> WaitForExitAsync()
    {
        await mainExited;
        // As when a VM's main process ends: nothing it started outlives it (and holds its output open meanwhile).
        Kill();
        await pumps;
        await log.DisposeAsync();
        return ProcessExit.Of(process.ExitCode);
    }

    private async Task Pump(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (log) log.Write(buffer, 0, read);
        }
    }

    private static string? Resolve(string command, IReadOnlyDictionary<string, string> env)
    {
        if (command.Contains('/')) return IsExecutable(command) ? Path.GetFullPath(command) : null;
        var path = env.GetValueOrDefault("PATH") ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, command)).FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}

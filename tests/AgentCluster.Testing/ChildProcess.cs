using System.Diagnostics;

namespace AgentCluster.Testing;

/// <summary>
/// A process a test or the benchmark harness started (a node, the emulator, redis-server): everything it writes
/// to stdout and stderr is kept (<see cref="Log"/>: what an operator would see, and the reason in a failure),
/// and it is stopped as Ctrl-C would stop it, killed if it hangs, when disposed.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>How long a stopped process may take to exit before it is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly int? keptLines;
    private readonly Queue<string> lines = new();
    private readonly Task output;
    private Action<string>? onLine;
    private bool stopped;

    private ChildProcess(string name, Process process, int? keptLines)
    {
        Name = name;
        this.process = process;
        this.keptLines = keptLines;
        output = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string Name { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>What the process wrote so far, stdout and stderr line by line (the last lines only, when a limit was given).</summary>
    public string Log
    {
        get { lock (lines) return string.Concat(lines.Select(l => l + "\n")); }
    }

    /// <param name="keptLines">How many of the last lines <see cref="Log"/> keeps; all when null (a long benchmark run passes a limit).</param>
    public static ChildProcess Start(
        string name, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, int? keptLines = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return new ChildProcess(name, Process.Start(info) ?? throw new InvalidOperationException($"{name}: {file} did not start"), keptLines);
    }

    /// <summary>A .NET program built next to the caller (AgentCluster.Silo, AgentCluster.FlyEmulator, the harness itself).</summary>
    public static ChildProcess StartDotnet(
        string name, string assembly, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, int? keptLines = null) =>
        Start(name, "dotnet", [Path.Combine(AppContext.BaseDirectory, assembly + ".dll"), .. args], environment, keptLines: keptLines);

    /// <summary>Calls <paramref name="watch"/> with every line the process writes from now on.</summary>
    public void Watch(Action<string>? watch) => onLine = watch;

    /// <summary>
    /// Polls <paramref name="ready"/> until it holds (a connection refused counts as not yet); fails with the
    /// process's output when it exits first or the deadline passes.
    /// </summary>
    public Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan deadline, string what) =>
        Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                await output;
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode} before {what}:\n{Log}");
            }
            try { return await ready(); }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or StackExchange.Redis.RedisException) { return false; }
        }, deadline, () => $"{Name} {what}:\n{Log}");

    /// <summary>Waits for the process to exit by itself (its output read to the end); fails with its output past the deadline.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {deadline.TotalSeconds:0} s:\n{Log}");
        }
        await output;
        return process.ExitCode;
    }

    /// <summary>SIGKILL, and waits until the process is gone: a crash, nothing of it runs on.</summary>
    public async Task KillAsync()
    {
        Signal(Signals.Kill);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Fly stops a machine; waits for the exit (failing past <paramref name="deadline"/>).</summary>
    /// <returns>The exit code and how long the process took to exit.</returns>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan deadline)
    {
        var took = Stopwatch.StartNew();
        Signal(Signals.Terminate);
        var exitCode = await WaitForExitAsync(deadline);
        return (exitCode, took.Elapsed);
    }

    /// <summary>SIGSTOP: alive but silent.</summary>
    public void Freeze() => Signal(Signals.Freeze);

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => Signal(Signals.Thaw);

    /// <summary>Stops the process as Ctrl-C would (killing it and its children if it hangs) and returns everything it wrote.</summary>
    public async Task<string> StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            if (!process.HasExited)
            {
                Signal(Signals.Interrupt);
                if (!process.WaitForExit(StopGrace)) process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            await output;
            process.Dispose();
        }
        return Log;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Signal(Func<int, bool> send)
    {
        if (!process.HasExited) _ = send(process.Id);
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine?.Invoke(line);
            lock (lines)
            {
                lines.Enqueue(line);
                if (lines.Count > keptLines) lines.Dequeue();
            }
        }
    }
}

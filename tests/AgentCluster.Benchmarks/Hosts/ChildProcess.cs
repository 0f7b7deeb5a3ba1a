using AgentCluster.Benchmarks.Harness;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>
/// A process the harness started (a node, the emulator, redis-server, the baseline server): its output is kept
/// (the last lines, for the report when something fails), and it is stopped, and killed if it hangs, when disposed.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private const int SIGINT = 2, SIGKILL = 9, SIGSTOP = 19, SIGCONT = 18;

    private readonly Process process;
    private readonly Queue<string> lines = new();
    private readonly Task output;
    private Action<string>? onLine;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
        output = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string Name { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>The process's last lines of output.</summary>
    public string Tail
    {
        get { lock (lines) return string.Join('\n', lines); }
    }

    public static ChildProcess Start(string name, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return new ChildProcess(name, Process.Start(info) ?? throw new InvalidOperationException($"{name}: {file} did not start"));
    }

    /// <summary>A .NET program built next to the harness (AgentCluster.Silo, AgentCluster.FlyEmulator, the harness itself).</summary>
    public static ChildProcess StartDotnet(string name, string assembly, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(name, "dotnet", [Path.Combine(AppContext.BaseDirectory, assembly + ".dll"), .. args], environment);

    /// <summary>Calls <paramref name="watch"/> with every line the process writes from now on.</summary>
    public void Watch(Action<string>? watch) => onLine = watch;

    /// <summary>Polls <paramref name="ready"/> until it holds; fails with the process's output when it exits or the deadline passes.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan deadline, string what) =>
        Eventually.TrueAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"{Name} exited with {process.ExitCode} before {what}:\n{Tail}");
            try { return await ready(); }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or StackExchange.Redis.RedisException) { return false; }
        }, deadline, () => $"{Name} {what}:\n{Tail}");

    public void Freeze() => Signal(SIGSTOP);

    public void Thaw() => Signal(SIGCONT);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            Signal(SIGINT);
            if (!process.WaitForExit(TimeSpan.FromSeconds(20))) Signal(SIGKILL);
        }
        await process.WaitForExitAsync();
        await output;
        process.Dispose();
    }

    private void Signal(int signal)
    {
        if (!process.HasExited) _ = Kill(process.Id, signal);
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine?.Invoke(line);
            lock (lines)
            {
                lines.Enqueue(line);
                if (lines.Count > KeptLines) lines.Dequeue();
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Signals any process (an agent the emulator started, say), as the tests' Signals do.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;
}

using System.Diagnostics;
using System.Text;

namespace AgentCluster.Tests.Cli;

/// <summary>
/// The built agentcluster (AgentCluster.Cli.dll, next to the tests) run as its own process, as a user or a script runs
/// it: its stdout and stderr kept apart (stdout a pipe, so the CLI prints plain text, as to any script), its exit code
/// read, and Ctrl-C sent as the terminal sends it (SIGINT).
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly Task reading;

    private CliProcess(Process process)
    {
        this.process = process;
        reading = Task.WhenAll(PumpAsync(process.StandardOutput, stdout), PumpAsync(process.StandardError, stderr));
    }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public string Stdout { get { lock (stdout) return stdout.ToString(); } }

    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Starts <c>agentcluster args…</c> against <paramref name="url"/> (AGENTCLUSTER_URL, as a user would set it).</summary>
    public static CliProcess Start(string url, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AgentCluster.Cli.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["AGENTCLUSTER_URL"] = url;
        info.Environment.Remove("AGENTCLUSTER_API_KEY");
        var process = Process.Start(info) ?? throw new InvalidOperationException("agentcluster did not start");
        process.StandardInput.Close();
        return new CliProcess(process);
    }

    /// <summary>Runs <c>agentcluster args…</c> to its end.</summary>
    public static async Task<CliResult> RunAsync(string url, params string[] args) => await RunInAsync(url, null, args);

    public static async Task<CliResult> RunInAsync(string url, string? workingDirectory, params string[] args)
    {
        await using var cli = Start(url, args, workingDirectory);
        return await cli.WaitAsync();
    }

    /// <summary>Waits for the process to exit by itself, failing (with what it wrote) past the deadline.</summary>
    public async Task<CliResult> WaitAsync(TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"agentcluster did not exit within {(deadline ?? Deadline).TotalSeconds:0} s.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        await reading;
        return new CliResult(process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Waits until the CLI has written something that satisfies <paramref name="seen"/> on stdout or stderr.</summary>
    public Task WaitForOutputAsync(Func<string, string, bool> seen, string what) =>
        Eventually.TrueAsync(() => HasExited ? throw new InvalidOperationException($"agentcluster exited ({process.ExitCode}) before {what}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}") : seen(Stdout, Stderr),
            Deadline, $"agentcluster: {what}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");

    /// <summary>Ctrl-C, as a terminal sends it.</summary>
    public void CtrlC() => Signals.Interrupt(process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
            lock (into) into.Append(buffer, 0, read);
    }
}

/// <summary>How a run of agentcluster ended.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";

    public IEnumerable<string> StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

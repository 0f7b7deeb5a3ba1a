using System.Collections;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using AgentCluster.Abstractions.Control;
using AgentCluster.Agent.Runtimes;

namespace AgentCluster.Agent.Control;

/// <summary>What to run, resolved: the argv, an absolute working directory inside the workspace, the extra env.</summary>
/// <param name="Env">Added to the agent's own environment less what the agent keeps for itself (ChildEnvironment).</param>
internal sealed record ExecSpec(IReadOnlyList<string> Argv, string Cwd, IReadOnlyDictionary<string, string>? Env, string? Stdin, TimeSpan Timeout, int MaxOutputBytes)
{
    public override string ToString() => $"ExecSpec({string.Join(' ', Argv)}, cwd: {Cwd}, timeout: {Timeout})";
}

/// <summary>
/// Runs one exec command as its own process group (the whole tree is killed on timeout or when the caller goes away),
/// its environment scrubbed like a runtime's child (never the session token or the model key).
/// </summary>
/// <remarks>
/// The command starts through util-linux's <c>setsid</c> (in every Debian image), which makes it the leader of a new
/// session and process group and then execs it: the group's id is the pid, known at once, and <c>kill(-pid)</c>
/// reaches what the command put in the background too, which a walk of the process tree misses once its parent
/// exited. Without setsid the command runs in the agent's group, and only the tree still attached to it is killed.
/// When the command ends on its own, what it left running in the background with its output elsewhere
/// (<c>nohup server &gt;log &amp;</c>) keeps running, as after a shell's command; what still holds the output pipes is
/// waited for, up to the timeout.
/// </remarks>
internal static class ExecRunner
{
    private const string Setsid = "/usr/bin/setsid";
    private const int SIGKILL = 9;

    /// <summary>How long the output may still flow after the group was killed: only a process that left the group holds it longer.</summary>
    private static readonly TimeSpan DrainAfterKill = TimeSpan.FromSeconds(2);

    /// <param name="output">
    /// Called with each piece of output as it comes (streamed exec), never two calls at once; then the result holds no
    /// output. Null: the output is collected, each stream up to <see cref="ExecSpec.MaxOutputBytes"/>.
    /// </param>
    /// <param name="cancellationToken">The caller went away (or the agent stops): the tree is killed and the call throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="environment">The agent's environment, before it is scrubbed; null: this process's.</param>
    /// <param name="time">Measures the timeout and the duration.</param>
    /// <exception cref="Win32Exception">The command could not be started (without setsid: no such program; a missing working directory).</exception>
    public static async Task<ExecResult> RunAsync(
        ExecSpec spec, Func<ExecOutputEvent, ValueTask>? output, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, TimeProvider? time = null)
    {
        if (spec.Argv.Count == 0) throw new ArgumentException("An exec needs a command.", nameof(spec));
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();

        var collected = output is null ? new Dictionary<string, StringBuilder> { [OutputStreams.Stdout] = new(), [OutputStreams.Stderr] = new() } : null;
        using var serial = new SemaphoreSlim(1, 1);
        async ValueTask Deliver(string stream, string text)
        {
            if (collected is not null)
            {
                lock (collected) collected[stream].Append(text);
                return;
            }
            await serial.WaitAsync(CancellationToken.None);
            try
            {
                await output!(new ExecOutputEvent(stream, text));
            }
            finally
            {
                serial.Release();
            }
        }

        using var process = Start(spec, environment);
        var stdout = new ExecOutput(OutputStreams.Stdout, spec.MaxOutputBytes, Deliver);
        var stderr = new ExecOutput(OutputStreams.Stderr, spec.MaxOutputBytes, Deliver);
        using var drain = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time); // its CancelAfter runs on the same clock
        Task[] pumping = [stdout.PumpAsync(process.StandardOutput.BaseStream, drain.Token), stderr.PumpAsync(process.StandardError.BaseStream, drain.Token)];
        var pumps = Task.WhenAll(pumping);

        using var timeout = new CancellationTokenSource(spec.Timeout, time);
        // The output callback failed (the stream it writes to broke): nobody is left to hear the command.
        using var undeliverable = new CancellationTokenSource();
        foreach (var pump in pumping) _ = pump.ContinueWith(_ => Cancel(undeliverable), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken, undeliverable.Token);
        var stdin = WriteStdinAsync(process, spec.Stdin, deadline.Token);
        var timedOut = false;
        try
        {
            // Done when the command exited and nothing holds its output any more.
            await Task.WhenAll(process.WaitForExitAsync(deadline.Token), pumps).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            timedOut = timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !undeliverable.IsCancellationRequested;
            KillGroup(process);
            await process.WaitForExitAsync(CancellationToken.None);
            drain.CancelAfter(DrainAfterKill);
            await pumps; // throws the callback's failure, if that was the end
        }
        await stdin;
        cancellationToken.ThrowIfCancellationRequested();

        var truncated = stdout.Truncated || stderr.Truncated;
        return new ExecResult(process.ExitCode,
            collected?[OutputStreams.Stdout].ToString() ?? "", collected?[OutputStreams.Stderr].ToString() ?? "",
            timedOut, truncated, (long)time.GetElapsedTime(started).TotalMilliseconds, Via: "agent");
    }

    private static Process Start(ExecSpec spec, IReadOnlyDictionary<string, string>? environment)
    {
        var ownGroup = File.Exists(Setsid);
        var info = new ProcessStartInfo(ownGroup ? Setsid : spec.Argv[0])
        {
            WorkingDirectory = spec.Cwd,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ownGroup) info.ArgumentList.Add("--"); // an argv[0] that starts with '-' is the command, not setsid's option
        foreach (var arg in ownGroup ? spec.Argv : spec.Argv.Skip(1)) info.ArgumentList.Add(arg);

        info.Environment.Clear();
        if (environment is not null)
            foreach (var (name, value) in environment) info.Environment[name] = value;
        else
            foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables()) info.Environment[(string)variable.Key] = (string?)variable.Value;
        ChildEnvironment.Scrub(info.Environment);
        foreach (var (name, value) in spec.Env ?? new Dictionary<string, string>()) info.Environment[name] = value;

        return Process.Start(info) ?? throw new InvalidOperationException($"{spec.Argv[0]} did not start");
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The exec is over already.
        }
    }

    /// <summary>Stdin is the request's text, then closed: a command that reads it gets EOF instead of waiting forever.</summary>
    private static async Task WriteStdinAsync(Process process, string? text, CancellationToken cancellationToken)
    {
        try
        {
            if (!string.IsNullOrEmpty(text)) await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
            process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The command exited (or was killed) without reading it all.
        }
    }

    /// <summary>
    /// SIGKILL to the group the command leads, and to the command itself in case setsid had not made the group yet
    /// (then nothing of the tree exists but it). Without setsid: the tree as .NET walks it.
    /// </summary>
    private static void KillGroup(Process process)
    {
        _ = kill(-process.Id, SIGKILL);
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

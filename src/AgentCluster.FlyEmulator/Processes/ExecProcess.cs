using System.Diagnostics;
using System.Text;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.FlyEmulator.Processes;

/// <summary>How an exec ended: as a process does (<see cref="ProcessExit"/>), its output (each stream cut at the cap), and whether its timeout killed it.</summary>
public sealed record ExecOutcome(ProcessExit Exit, string Stdout, string Stderr, bool TimedOut, bool Truncated);

/// <summary>
/// One command run in a machine (Fly's exec), beside its main process: with the machine's environment, directory and
/// user, in its own session and process group (setsid), so that its timeout, or the end of the machine's run, kills
/// everything it started. Its output is collected up to a cap per stream; the rest is read and dropped, so the command
/// never blocks on a full pipe.
/// </summary>
public static class ExecProcess
{
    /// <param name="stopped">The machine stopped (or the caller went away): killed at once, like at the timeout.</param>
    /// <exception cref="MachineLaunchException">No such program.</exception>
    public static async Task<ExecOutcome> RunAsync(ProcessLaunch launch, string? stdin, TimeSpan timeout, int maxOutputBytes, TimeProvider time, CancellationToken stopped)
    {
        var info = MachineProcess.StartInfo(launch, out _);
        using var process = Process.Start(info) ?? throw new MachineLaunchException($"could not start {launch.Argv[0]}");
        var stdout = new CappedOutput(maxOutputBytes);
        var stderr = new CappedOutput(maxOutputBytes);
        using var drain = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var pumps = Task.WhenAll(stdout.ReadAsync(process.StandardOutput.BaseStream, drain.Token), stderr.ReadAsync(process.StandardError.BaseStream, drain.Token));
        using var timer = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stopped);
        var input = WriteAsync(process, stdin, deadline.Token);
        var timedOut = false;
        try
        {
            await Task.WhenAll(process.WaitForExitAsync(deadline.Token), pumps).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            timedOut = timer.IsCancellationRequested;
            // The group the command leads, and the command itself should setsid not have made the group yet.
            _ = Libc.kill(-process.Id, PosixSignals.SIGKILL);
            _ = Libc.kill(process.Id, PosixSignals.SIGKILL);
            await process.WaitForExitAsync(CancellationToken.None);
            drain.CancelAfter(TimeSpan.FromSeconds(2)); // only a process that left the group still holds the pipes
            await pumps;
        }
        await input;
        return new ExecOutcome(ProcessExit.Of(process.ExitCode), stdout.Text, stderr.Text, timedOut, stdout.Truncated || stderr.Truncated);
    }

    private static async Task WriteAsync(Process process, string? text, CancellationToken cancellationToken)
    {
        try
        {
            if (!string.IsNullOrEmpty(text)) await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
            process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The command ended without reading it all.
        }
    }

    /// <summary>The first bytes of a stream, up to the cap, as UTF-8 text that ends on a whole character.</summary>
    private sealed class CappedOutput(int cap)
    {
        private readonly MemoryStream kept = new();

        public bool Truncated { get; private set; }

        public string Text
        {
            get
            {
                var bytes = kept.GetBuffer().AsSpan(0, (int)kept.Length);
                // Leave out a character the cap cut.
                var end = Truncated ? Utf8Cut.WholeLength(bytes) : bytes.Length;
                return Encoding.UTF8.GetString(bytes[..end]);
            }
        }

        public async Task ReadAsync(Stream source, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int count;
                while ((count = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    var keep = (int)Math.Min(count, cap - kept.Length);
                    if (keep < count) Truncated = true;
                    if (keep > 0) kept.Write(buffer, 0, keep);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>
/// Stops a CLI the way a user at its terminal would: SIGINT first, so it ends its own tools and saves the
/// conversation (the next turn resumes it), then the whole process tree once a bounded grace has passed.
/// </summary>
internal static class GracefulStop
{
    private const int SIGINT = 2;

    public static async Task StopAsync(Process process, TimeSpan grace, TimeProvider time)
    {
        // Only the CLI itself: it shares the agent's process group, so signalling the group would hit the agent.
        if (!process.HasExited) _ = kill(process.Id, SIGINT);
        using var deadline = new CancellationTokenSource(grace, time);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

using System.Diagnostics;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes;

/// <summary>
/// Runs each turn's content as one <c>bash -lc</c> script in the workspace: the simplest runtime, and the one
/// the cluster's own tests drive. A login shell, so that the machine image's profile (PATH, tools) applies.
/// </summary>
internal sealed class ShellRuntime(string workspace) : IAgentRuntime
{
    public const string RuntimeName = AgentRuntimes.Shell;

    public string Name => RuntimeName;

    public async Task<TurnOutcome> RunTurnAsync(AgentTurn turn, ITurnEvents events, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workspace,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        ChildEnvironment.Scrub(info.Environment);
        info.ArgumentList.Add("-lc");
        info.ArgumentList.Add(turn.Content);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        // Nobody will type into a turn: a command that reads stdin gets EOF instead of waiting forever.
        process.StandardInput.Close();

        var output = Task.WhenAll(
            OutputLines.PumpAsync(process.StandardOutput.BaseStream, text => events.Output(OutputStreams.Stdout, text), cancellationToken),
            OutputLines.PumpAsync(process.StandardError.BaseStream, text => events.Output(OutputStreams.Stderr, text), cancellationToken));
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            // Lines still in the pipes belong to the turn; they end when the last writer (bash or a child) exits.
            await output;
            return TurnOutcome.FromExitCode(process.ExitCode);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            return TurnOutcome.Interrupted(process.ExitCode);
        }
    }

    /// <summary>The whole tree: a turn's commands are bash's children, and they must not outlive the turn.</summary>
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
}

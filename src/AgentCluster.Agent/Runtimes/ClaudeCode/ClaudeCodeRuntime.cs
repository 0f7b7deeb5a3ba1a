using System.Diagnostics;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>
/// Runs each turn through the Claude Code CLI in headless streaming mode (<see cref="ClaudeCodeCommand"/>):
/// one CLI process per turn, the turns chained into one conversation by <c>--resume</c> with the session id
/// kept in the workspace (<see cref="ClaudeCodeHome"/>), or when that is gone, the session's earlier turns quoted
/// (<see cref="EarlierTurns"/>); its stream-json output mapped onto the turn's events (<see cref="StreamJsonTurn"/>).
/// </summary>
/// <param name="executable">The CLI; null: <see cref="ClaudeCodeExecutable"/> finds it when a turn starts.</param>
internal sealed class ClaudeCodeRuntime(RuntimeContext context, TimeProvider time, string? executable = null) : IAgentRuntime
{
    public const string RuntimeName = AgentRuntimes.ClaudeCode;

    /// <summary>How long an interrupted CLI has to stop on SIGINT before its process tree is killed.</summary>
    public static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest stream-json line read as one message: each line is a whole JSON message, and a tool's result (a
    /// file read whole, a long command output) easily passes the 16 KB a plain output line is cut at. Well under
    /// the agent protocol's 16 MiB batch.
    /// </summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly ClaudeCodeHome home = new(context.Workspace);

    public string Name => RuntimeName;

    public async Task<TurnOutcome> RunTurnAsync(AgentTurn turn, ITurnEvents events, CancellationToken cancellationToken)
    {
        home.Create();
        var resume = home.SessionId;
        var (outcome, lost) = await RunCliAsync(turn, events, resume, cancellationToken);
        if (!lost) return outcome;
        // The transcript --resume reads is gone (a `git clean -x` in the workspace, say): rather than every later
        // turn failing on it, this one starts a new conversation.
        events.Output(OutputStreams.Stderr, $"claude: conversation {resume} is gone; this turn starts a new one");
        home.ForgetSessionId();
        return (await RunCliAsync(turn, events, resume: null, cancellationToken)).Outcome;
    }

    /// <returns>How the turn ended, and whether the CLI found no conversation to resume.</returns>
    private async Task<(TurnOutcome Outcome, bool ConversationLost)> RunCliAsync(AgentTurn turn, ITurnEvents events, string? resume, CancellationToken cancellationToken)
    {
        var info = ClaudeCodeCommand.Create(executable ?? ClaudeCodeExecutable.Resolve(Environment.GetEnvironmentVariable), context, home, resume);
        var output = new StreamJsonTurn(events, home.SaveSessionId);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");

        // Not the turn's token: what the CLI says while it stops still belongs to the turn.
        using var reading = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var streams = Task.WhenAll(
            // A new conversation in a session that had turns (a restart's new machine): it is told what was said.
            WritePromptAsync(process, resume is null ? EarlierTurns.Before(turn.Content, context.Conversation) : turn.Content, reading.Token),
            OutputLines.PumpAsync(process.StandardOutput.BaseStream, output.Read, reading.Token, MaxMessageBytes),
            OutputLines.PumpAsync(process.StandardError.BaseStream, line => events.Output(OutputStreams.Stderr, line), reading.Token));
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            await streams.WaitAsync(cancellationToken);
            var outcome = output.Outcome ?? TurnOutcome.Error(process.ExitCode) with { Reason = $"claude exited with code {process.ExitCode} without a result" };
            return (outcome, resume is not null && output.ConversationNotFound);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await GracefulStop.StopAsync(process, InterruptGrace, time);
            // Its last lines (the interrupted tool's result, the usage so far) come once it has exited; a process
            // it left behind may hold the pipes open, hence the bound.
            reading.CancelAfter(InterruptGrace);
            try
            {
                await streams;
            }
            catch (OperationCanceledException)
            {
            }
            output.CloseOpenToolCalls("Interrupted: the turn was stopped before this tool call finished.");
            return (TurnOutcome.Interrupted() with
            {
                NumTurns = output.Outcome?.NumTurns, Usage = output.Outcome?.Usage, CostUsd = output.Outcome?.CostUsd, DeniedTools = output.Outcome?.DeniedTools,
            }, false);
        }
    }

    /// <summary>The prompt goes on stdin, which then closes: no argv length limit, and the CLI reads it whole.</summary>
    private static async Task WritePromptAsync(Process process, string prompt, CancellationToken cancellationToken)
    {
        try
        {
            await process.StandardInput.WriteAsync(prompt.AsMemory(), cancellationToken);
        }
        catch (IOException)
        {
            // The CLI exited before reading it all; its output says why.
        }
        finally
        {
            process.StandardInput.Close();
        }
    }
}

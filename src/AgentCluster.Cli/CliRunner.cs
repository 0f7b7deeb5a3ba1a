using System.CommandLine;
using AgentCluster.Client;

namespace AgentCluster.Cli;

/// <summary>
/// Gives each command its action: a <see cref="CliContext"/> to work with, and the one way every command fails: the
/// node's problem (its ProblemDetails title and detail) or why it could not be reached, as one line on stderr.
/// </summary>
internal sealed class CliRunner(CliOptions options, CtrlC ctrlC)
{
    public CliOptions Options { get; } = options;

    public void Set(Command command, Func<CliContext, ParseResult, Task<int>> run) =>
        command.SetAction(async (parsed, _) =>
        {
            CliContext cli;
            try
            {
                cli = CliContext.Create(parsed, Options, ctrlC);
            }
            // A bad --url, or a bad AGENTCLUSTER_URL (the client's own check).
            catch (Exception e) when (e is UsageException or ArgumentException)
            {
                return Fail(e.Message, ExitCodes.Usage);
            }
            try
            {
                return await run(cli, parsed);
            }
            catch (UsageException e)
            {
                return Fail(e.Message, ExitCodes.Usage);
            }
            catch (AgentClusterException e)
            {
                return Fail(e.Message, ExitCodes.RequestFailed);
            }
            catch (HttpRequestException e)
            {
                return Fail($"cannot reach the node at {cli.Node}: {e.Message}", ExitCodes.RequestFailed);
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                return ExitCodes.CtrlC;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                return Fail(e.Message, ExitCodes.RequestFailed);
            }
        });

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"error: {Problems.OneLine(message)}");
        return exitCode;
    }
}

using System.CommandLine;
using System.CommandLine.Invocation;
using AgentCluster.Cli.Commands;

namespace AgentCluster.Cli;

/// <summary>agentcluster's command tree, and how a command line becomes an exit code.</summary>
internal static class CliApp
{
    public static RootCommand Root(CliRunner runner)
    {
        var root = new RootCommand("agentcluster: start, watch and steer AgentCluster sessions")
        {
            runner.Options.Url,
            runner.Options.ApiKey,
            runner.Options.Json,
            RunCommand.Create(runner),
            SendCommand.Create(runner),
            LogsCommand.Create(runner),
            ListCommand.Create(runner),
            SessionVerbs.Get(runner),
            SessionVerbs.Remove(runner),
            SessionVerbs.Interrupt(runner),
            SessionVerbs.Restart(runner),
            ExecVerb.Create(runner),
            CopyCommand.Create(runner),
            PresetsCommand.Create(runner),
            WorkspacesCommand.Create(runner),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        using var ctrlC = new CtrlC();
        var parsed = Root(new CliRunner(new CliOptions(), ctrlC)).Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is ParseErrorAction)
        {
            Console.Error.WriteLine($"error: {string.Join(" ", parsed.Errors.Select(e => Problems.OneLine(e.Message)))} (see agentcluster --help)");
            return ExitCodes.Usage;
        }
        // Ctrl-C is CtrlC's: System.CommandLine's own handling would end the process before a turn is interrupted.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}

using System.CommandLine;
using AgentCluster.Abstractions.Control;
using AgentCluster.Client;

namespace AgentCluster.Cli.Commands;

/// <summary>
/// <c>exec &lt;id&gt; -- cmd...</c>: runs a command in the session's machine, its stdout and stderr streamed to this
/// process's own as they come, and exits with the command's exit code. One word after <c>--</c> is a script for
/// <c>bash -lc</c> (pipes, globs); several are an argv, run as they are. (Named ExecVerb: ExecCommand is the wire type.)
/// </summary>
internal static class ExecVerb
{
    public static Command Create(CliRunner runner)
    {
        var id = SessionId.Argument();
        var argv = new Argument<string[]>("command") { Description = "After --: one script (run by bash -lc), or a program and its arguments", Arity = ArgumentArity.OneOrMore };
        var cwd = new Option<string?>("--cwd") { Description = "The working directory, relative to the workspace" };
        var timeout = new Option<int?>("--timeout") { Description = "Seconds before the command is killed (default 60)" };
        var env = new Option<string[]>("--env", "-e") { Description = "NAME=value added to the command's environment (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("exec", "Run a command in a session's machine; exits with its exit code") { id, argv, cwd, timeout, env };
        runner.Set(command, async (cli, p) =>
        {
            var words = p.GetValue(argv)!;
            var request = new ExecRequest
            {
                Command = words.Length == 1 ? ExecCommand.Shell(words[0]) : ExecCommand.Of(words),
                Cwd = p.GetValue(cwd),
                TimeoutS = p.GetValue(timeout),
                Env = Environment(p.GetValue(env)),
            };
            if (cli.Json)
            {
                var result = await cli.Client.ExecAsync(p.GetValue(id)!, request, ct: cli.Cancel);
                cli.JsonOut.Document(result);
                return result.ExitCode;
            }
            await foreach (var frame in cli.Client.ExecStreamAsync(p.GetValue(id)!, request, ct: cli.Cancel))
            {
                switch (frame)
                {
                    case ExecStreamEvent.Output { Event: var output }:
                        await (output.Stream == "stderr" ? Console.Error : Console.Out).WriteAsync(output.Text);
                        break;
                    case ExecStreamEvent.Exit { Event: var exit }:
                        await Console.Out.FlushAsync();
                        if (exit.TimedOut) cli.Note("exec: the command timed out and was killed");
                        if (exit.Truncated) cli.Note("exec: output past max_output_bytes was left out");
                        return exit.ExitCode;
                }
            }
            cli.Note("exec: the stream ended without the command's exit code");
            return ExitCodes.RequestFailed;
        });
        return command;
    }

    private static Dictionary<string, string>? Environment(string[]? pairs)
    {
        if (pairs is not { Length: > 0 }) return null;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw new UsageException($"--env: '{pair}' is not NAME=value");
            env[pair[..equals]] = pair[(equals + 1)..];
        }
        return env;
    }
}

using System.CommandLine;
using AgentCluster.Cli.Output;
using AgentCluster.Client;

namespace AgentCluster.Cli.Commands;

/// <summary>The commands that make one call about one session and show its answer: get, rm, interrupt, restart.</summary>
internal static class SessionVerbs
{
    public static Command Get(CliRunner runner) =>
        Create(runner, "get", "Show a session, with its last turn's outcome", (client, id, ct) => client.GetSessionAsync(id, ct),
            (cli, s) => SessionCard.Show(cli.Screen, s));

    /// <summary>Ends the session; its machine is destroyed.</summary>
    public static Command Remove(CliRunner runner) =>
        Create(runner, "rm", "Delete a session (its machine is destroyed)", (client, id, ct) => client.DeleteSessionAsync(id, ct),
            (cli, s) => cli.Screen.Line($"deleted {s.SessionId}"));

    /// <summary>Stops the running turn; the session stays, waiting for the next message.</summary>
    public static Command Interrupt(CliRunner runner) =>
        Create(runner, "interrupt", "Interrupt a session's running turn", (client, id, ct) => client.InterruptAsync(id, ct),
            (cli, r) => cli.Screen.Line($"interrupting turn {r.Turn} of {r.SessionId}"));

    /// <summary>A new machine for the session: same id, settings and workspace volume, a fresh rootfs.</summary>
    public static Command Restart(CliRunner runner) =>
        Create(runner, "restart", "Restart a session's machine", (client, id, ct) => client.RestartAsync(id, ct),
            (cli, s) => cli.Screen.Line($"restarting {s.SessionId}"));

    private static Command Create<T>(CliRunner runner, string name, string description,
        Func<AgentClusterClient, string, CancellationToken, Task<T>> call, Action<CliContext, T> human)
    {
        var id = SessionId.Argument();
        var command = new Command(name, description) { id };
        runner.Set(command, async (cli, p) =>
        {
            cli.Show(await call(cli.Client, p.GetValue(id)!, cli.Cancel), answer => human(cli, answer));
            return ExitCodes.Success;
        });
        return command;
    }
}

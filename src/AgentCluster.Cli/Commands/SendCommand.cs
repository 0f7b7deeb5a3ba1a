using System.CommandLine;
using AgentCluster.Cli.Turns;

namespace AgentCluster.Cli.Commands;

/// <summary><c>send &lt;id&gt; "message"</c>: the session's next turn, shown live like <c>run</c>'s (or not, with --detach).</summary>
internal static class SendCommand
{
    public static Command Create(CliRunner runner)
    {
        var id = SessionId.Argument();
        var message = new Argument<string>("message") { Description = "The next turn's input" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Send and return without following the turn" };
        var command = new Command("send", "Send a message (the next turn) and show that turn live") { id, message, detach };
        runner.Set(command, async (cli, p) =>
        {
            var sessionId = p.GetValue(id)!;
            // Where the log is now: the new turn's events come after it.
            var before = await cli.Client.GetSessionAsync(sessionId, cli.Cancel);
            var sent = await cli.Client.SendMessageAsync(sessionId, p.GetValue(message)!, cli.Cancel);
            if (p.GetValue(detach))
            {
                cli.Show(sent, s => cli.Screen.Line($"turn {s.Turn} of {s.SessionId}"));
                cli.Note($"Follow it with: agentcluster logs -f {sessionId} --after {before.LastEventId}");
                return ExitCodes.Success;
            }
            return await new TurnWatch(cli, sessionId).FollowAsync(before.LastEventId, sent.Turn);
        });
        return command;
    }
}

using System.CommandLine;
using AgentCluster.Cli.Output;

namespace AgentCluster.Cli.Commands;

/// <summary>
/// <c>logs &lt;id&gt; [-f] [--after N]</c>: the session's events. Without -f, those logged so far; with -f, on as they
/// come until the session ends (or Ctrl-C), reconnecting with Last-Event-ID whenever the stream breaks, so no event
/// is missed or shown twice.
/// </summary>
internal static class LogsCommand
{
    public static Command Create(CliRunner runner)
    {
        var id = SessionId.Argument();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep following new events until the session ends" };
        var after = new Option<long>("--after") { Description = "Only events after this sequence number" };
        var command = new Command("logs", "Show a session's events") { id, follow, after };
        runner.Set(command, async (cli, p) =>
        {
            var sessionId = p.GetValue(id)!;
            var from = p.GetValue(after);
            // Without -f: up to the last event logged now.
            var head = p.GetValue(follow) ? long.MaxValue : (await cli.Client.GetSessionAsync(sessionId, cli.Cancel)).LastEventId;
            var renderer = new EventRenderer(cli.Screen);
            if (from < head)
            {
                await foreach (var e in cli.Client.StreamEventsAsync(sessionId, from, cli.Cancel))
                {
                    if (cli.Json) cli.JsonOut.Event(sessionId, e);
                    else renderer.Render(e);
                    if (e.Seq >= head) break;
                }
            }
            if (!cli.Json) renderer.Finish();
            return ExitCodes.Success;
        });
        return command;
    }
}

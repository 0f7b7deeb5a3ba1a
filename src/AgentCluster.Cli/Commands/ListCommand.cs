using System.CommandLine;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Cli.Output;

namespace AgentCluster.Cli.Commands;

/// <summary><c>ls</c>: the caller's sessions, a page at a time (<c>--all</c>: every page).</summary>
internal static class ListCommand
{
    public static Command Create(CliRunner runner)
    {
        var limit = new Option<int?>("--limit") { Description = "How many sessions a page holds" };
        var cursor = new Option<string?>("--cursor") { Description = "The page after this cursor (the previous page's next_cursor)" };
        var all = new Option<bool>("--all") { Description = "Every page" };
        var command = new Command("ls", "List sessions") { limit, cursor, all };
        runner.Set(command, async (cli, p) =>
        {
            var page = await cli.Client.ListSessionsAsync(p.GetValue(cursor), p.GetValue(limit), cli.Cancel);
            if (p.GetValue(all))
            {
                var sessions = new List<SessionView>(page.Sessions);
                while (page.NextCursor is { } next)
                {
                    page = await cli.Client.ListSessionsAsync(next, p.GetValue(limit), cli.Cancel);
                    sessions.AddRange(page.Sessions);
                }
                page = new SessionList(sessions, null);
            }
            cli.Show(page, list =>
            {
                var table = cli.Screen.Table(SessionCard.Columns);
                foreach (var session in list.Sessions) Screen.AddRow(table, SessionCard.Row(session));
                cli.Screen.Write(table);
                if (list.NextCursor is { } more) cli.Note($"More: agentcluster ls --cursor {more}");
            });
            return ExitCodes.Success;
        });
        return command;
    }
}

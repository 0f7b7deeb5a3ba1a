using System.CommandLine;
using System.Globalization;
using AgentCluster.Cli.Output;

namespace AgentCluster.Cli.Commands;

/// <summary><c>workspaces</c>: the named workspaces (persistent volumes); <c>workspaces rm &lt;name&gt;</c> deletes one.</summary>
internal static class WorkspacesCommand
{
    public static Command Create(CliRunner runner)
    {
        var command = new Command("workspaces", "List named workspaces");
        runner.Set(command, async (cli, _) =>
        {
            cli.Show(await cli.Client.ListWorkspacesAsync(cli.Cancel), list =>
            {
                var table = cli.Screen.Table("NAME", "REGION", "SIZE", "SESSION", "UPDATED");
                foreach (var w in list.Workspaces)
                    Screen.AddRow(table, w.Name, w.Region, $"{w.SizeGb} GB", w.SessionId, w.UpdatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                cli.Screen.Write(table);
            });
            return ExitCodes.Success;
        });

        var name = new Argument<string>("name") { Description = "The workspace's name" };
        var remove = new Command("rm", "Delete a named workspace (and its volume)") { name };
        runner.Set(remove, async (cli, p) =>
        {
            await cli.Client.DeleteWorkspaceAsync(p.GetValue(name)!, cli.Cancel);
            cli.Show(new { Deleted = p.GetValue(name) }, _ => cli.Screen.Line($"deleted workspace {p.GetValue(name)}"));
            return ExitCodes.Success;
        });
        command.Add(remove);
        return command;
    }
}

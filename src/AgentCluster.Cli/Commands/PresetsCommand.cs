using System.CommandLine;
using AgentCluster.Cli.Output;

namespace AgentCluster.Cli.Commands;

/// <summary><c>presets [id]</c>: the node's presets, or one of them in full.</summary>
internal static class PresetsCommand
{
    public static Command Create(CliRunner runner)
    {
        var id = new Argument<string?>("id") { Description = "One preset to show in full", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("presets", "List the node's presets (or show one)") { id };
        runner.Set(command, async (cli, p) =>
        {
            if (p.GetValue(id) is { } one)
            {
                // A preset in full has many optional fields: its JSON is the clearest way to show them all.
                cli.JsonOut.Document(await cli.Client.GetPresetAsync(one, cli.Cancel));
                return ExitCodes.Success;
            }
            cli.Show(await cli.Client.ListPresetsAsync(cli.Cancel), list =>
            {
                var table = cli.Screen.Table("ID", "RUNTIME", "MODEL", "TIER", "DESCRIPTION");
                foreach (var preset in list.Presets) Screen.AddRow(table, preset.Id, preset.Runtime, preset.Model, preset.Tier, preset.Description ?? preset.Name);
                cli.Screen.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }
}

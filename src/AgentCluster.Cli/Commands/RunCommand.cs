using System.CommandLine;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Cli.Output;
using AgentCluster.Cli.Turns;

namespace AgentCluster.Cli.Commands;

/// <summary><c>run "prompt"</c>: creates a session with the prompt as its first turn and shows that turn live.</summary>
internal static class RunCommand
{
    public static Command Create(CliRunner runner)
    {
        var prompt = new Argument<string>("prompt") { Description = "What the agent should do: the session's first turn" };
        var preset = new Option<string?>("--preset") { Description = "A preset to start from (see: agentcluster presets)" };
        var runtime = new Option<string?>("--runtime") { Description = "The agent runtime: shell, claude-code or anthropic" };
        var tier = new Option<string?>("--tier") { Description = "A named machine size" };
        var region = new Option<string?>("--region") { Description = "The region of the machine" };
        var workspace = new Option<string?>("--workspace") { Description = "A named persistent workspace (made on first use)" };
        var repo = new Option<string?>("--repo") { Description = "A git repository to clone into the workspace first" };
        var branch = new Option<string?>("--branch") { Description = "The branch of --repo" };
        var model = new Option<string?>("--model") { Description = "The model, for a model runtime" };
        var task = new Option<bool>("--task") { Description = "A one-shot task: the session ends once the turn is done" };
        var id = new Option<string?>("--id") { Description = "The session's id (the same id again returns the same session)" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Print the new session and return without following it" };
        var command = new Command("run", "Start a session with a prompt and show its first turn live")
        {
            prompt, preset, runtime, tier, region, workspace, repo, branch, model, task, id, detach,
        };
        runner.Set(command, async (cli, p) =>
        {
            var request = new CreateSessionRequest
            {
                Prompt = p.GetValue(prompt),
                Preset = p.GetValue(preset),
                Runtime = p.GetValue(runtime),
                Tier = p.GetValue(tier),
                Region = p.GetValue(region),
                Model = p.GetValue(model),
                SessionId = p.GetValue(id),
                Mode = p.GetValue(task) ? SessionModes.Task : null,
                Workspace = p.GetValue(workspace) is { } name ? new WorkspaceSpec { Name = name } : null,
                Repository = p.GetValue(repo) is { } url ? new RepositoryRequest(url, p.GetValue(branch)) : null,
            };
            var session = await cli.Client.CreateSessionAsync(request, cli.Cancel);
            if (p.GetValue(detach))
            {
                cli.Show(session, s => cli.Screen.Line(s.SessionId));
                cli.Note($"Follow it with: agentcluster logs -f {session.SessionId}");
                return ExitCodes.Success;
            }
            if (!cli.Json) cli.Screen.Line($"· session {session.SessionId}", null);
            return await new TurnWatch(cli, session.SessionId).FollowAsync(after: 0, turn: 1);
        });
        return command;
    }
}

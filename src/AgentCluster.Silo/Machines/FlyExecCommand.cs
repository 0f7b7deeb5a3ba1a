using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// An exec request as the argv Fly's own exec runs: Fly takes neither a working directory nor an environment, and
/// its command runs with the machine's whole environment, the session's token and model key included. So the command
/// is wrapped in <c>bash -c</c>, which goes to the workspace (<c>$AGENTCLUSTER_WORKSPACE</c>, else the directory
/// Fly's exec starts in: the image's WORKDIR, the agent's workspace too), then into the request's <c>cwd</c>, drops
/// what the agent keeps from its children (every <c>AGENTCLUSTER_*</c> variable, the model's credentials), and execs
/// <c>env</c> with the request's variables and the command. The cwd, the variables and the command are the script's
/// arguments, never part of its text: nothing in a request is read by the shell.
/// </summary>
public static class FlyExecCommand
{
    /// <summary>Fixed text; <c>$1</c> is the cwd, the rest goes to <c>env</c>: <c>-- K=V … command args…</c>.</summary>
    private const string Script =
        $"cd -- \"${{{AgentEnvironment.Workspace}:-$PWD}}\" && cd -- \"$1\" || exit 1; shift; " +
        "unset ${!AGENTCLUSTER_@} ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN; exec env \"$@\"";

    /// <summary>What <c>$0</c> reads in the wrapper's error messages.</summary>
    private const string Name = "agentcluster-exec";

    public static List<string> Argv(ExecRequest request)
    {
        var command = request.Command ?? throw new ArgumentException("An exec needs a command.", nameof(request));
        var cwd = string.IsNullOrEmpty(request.Cwd) ? "." : request.Cwd;
        List<string> argv = ["bash", "-c", Script, Name, cwd, "--"];
        foreach (var (name, value) in request.Env ?? []) argv.Add($"{name}={value}");
        argv.AddRange(command.ToArgv());
        return argv;
    }
}

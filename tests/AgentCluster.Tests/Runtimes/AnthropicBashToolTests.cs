using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Runtimes.Anthropic.Tools;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Runtimes;

/// <summary>The anthropic runtime's Bash tool: where it runs, what it sees, and that it stops when told.</summary>
public sealed class AnthropicBashToolTests : IDisposable
{
    /// <summary>
    /// Generous: a login shell runs the machine's profile first, which may wait on a lock of its own (pyenv's
    /// rehash) while other shells start. For the same reason outputs are matched at their end: the profile may
    /// have written to stderr before the command did.
    /// </summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string workspace = Directory.CreateTempSubdirectory("anthropic-bash-").FullName;
    private readonly Toolbox toolbox;

    public AnthropicBashToolTests() => toolbox = new Toolbox(workspace, new AgentSettings());

    public void Dispose() => Directory.Delete(workspace, recursive: true);

    private Task<ToolOutput> Bash(object input, CancellationToken cancellationToken = default) =>
        toolbox.RunAsync("Bash", JsonSerializer.SerializeToElement(input), cancellationToken);

    [Fact]
    public async Task Runs_in_the_workspace_and_changes_it()
    {
        var output = await Bash(new { command = "echo hi > proof.txt && pwd" });

        Assert.False(output.IsError, output.Content);
        Assert.EndsWith(new DirectoryInfo(workspace).FullName, output.Content);
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(workspace, "proof.txt")));
    }

    [Fact]
    public async Task The_session_token_and_every_agent_variable_are_hidden_from_commands()
    {
        const string token = "AGENTCLUSTER_SESSION_TOKEN";
        var before = Environment.GetEnvironmentVariable(token);
        Environment.SetEnvironmentVariable(token, "secret-session-token");
        try
        {
            var output = await Bash(new { command = "env; echo \"token=[$AGENTCLUSTER_SESSION_TOKEN]\"" });

            Assert.False(output.IsError, output.Content);
            Assert.DoesNotContain("secret-session-token", output.Content);
            Assert.DoesNotContain("AGENTCLUSTER_", output.Content);
            Assert.Contains("token=[]", output.Content);
        }
        finally
        {
            Environment.SetEnvironmentVariable(token, before);
        }
    }

    [Fact]
    public async Task A_failing_command_is_an_error_result_with_its_output_and_exit_code()
    {
        var output = await Bash(new { command = "echo oops >&2; exit 3" });

        Assert.True(output.IsError);
        Assert.EndsWith("oops\nExit code 3", output.Content);
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_killed()
    {
        // Long enough for the profile to be done: a shell killed in the middle of it may leave its locks behind.
        var output = await Bash(new { command = "sleep 60", timeout = 5000 });

        Assert.True(output.IsError);
        Assert.EndsWith("Timed out after 5000 ms; the command was killed.", output.Content);
    }

    [Fact]
    public async Task Output_is_capped_and_says_so()
    {
        var output = await Bash(new { command = "head -c 100000 /dev/zero | tr '\\0' a" });

        Assert.False(output.IsError);
        Assert.True(output.Content.Length < BashTool.MaxOutputChars + 100, $"{output.Content.Length} characters");
        Assert.Contains("[output truncated:", output.Content);
    }

    [Fact]
    public async Task Cancelling_kills_the_command_and_its_children()
    {
        using var interrupt = new CancellationTokenSource();
        var running = Bash(new { command = "sleep 300 & echo $! > child.pid; wait" }, interrupt.Token);
        var pidFile = Path.Combine(workspace, "child.pid");
        await Eventually.TrueAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), Deadline, "the command started its child");
        var child = int.Parse(File.ReadAllText(pidFile));

        await interrupt.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await Eventually.TrueAsync(() => !IsAlive(child), Deadline, $"the child {child} was killed");
    }

    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            // A zombie has ended; only its parent's bookkeeping is left.
            return File.Exists(stat) && File.ReadAllText(stat).Split(") ")[1][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}

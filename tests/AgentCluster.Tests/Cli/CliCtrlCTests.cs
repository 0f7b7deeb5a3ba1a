using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Cli;

/// <summary>Ctrl-C during <c>run</c>, sent as a terminal sends it (SIGINT to the CLI process).</summary>
[Collection(CliNodeCollection.Name)]
public sealed class CliCtrlCTests(CliNodeFixture node)
{
    [Fact]
    public async Task The_first_ctrl_c_interrupts_the_turn_and_the_exit_code_says_so()
    {
        await using var run = node.Start("run", "echo working; sleep 300");
        await run.WaitForOutputAsync((stdout, _) => stdout.Contains("working\n"), "the long turn is running");
        var id = CliNodeFixture.SessionIdOf(run.Stdout);

        run.CtrlC();
        var result = await run.WaitAsync();

        Assert.True(result.ExitCode == 7, result.ToString()); // ExitCodes.Interrupted
        Assert.Contains("Interrupting the turn", result.Stderr);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("✗ turn 1 interrupted", StringComparison.Ordinal));
        var session = await node.SessionAsync(id);
        Assert.Equal("interrupted", session["result"]!["outcome"]!.GetValue<string>());
        Assert.NotEqual("terminated", session["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_second_ctrl_c_detaches_and_leaves_the_session_running()
    {
        await using var run = node.Start("run", "echo working; sleep 300");
        await run.WaitForOutputAsync((stdout, _) => stdout.Contains("working\n"), "the long turn is running");
        var id = CliNodeFixture.SessionIdOf(run.Stdout);
        // The agent frozen, the interrupt cannot end the turn before the second Ctrl-C: the CLI must detach by itself.
        var agent = await EmbeddedEmulator.AgentPidAsync(node.Node, (await node.SessionAsync(id))["machine_id"]!.GetValue<string>());
        Signals.Freeze(agent);
        try
        {
            run.CtrlC();
            await run.WaitForOutputAsync((_, stderr) => stderr.Contains("Interrupting the turn"), "the first Ctrl-C is taken");
            run.CtrlC();
            var result = await run.WaitAsync();

            Assert.True(result.ExitCode == 130, result.ToString()); // ExitCodes.CtrlC
            Assert.Contains($"Re-attach with: agentcluster logs -f {id} --after ", result.Stderr);
            Assert.DoesNotContain(result.StdoutLines, l => l.Contains("turn 1 interrupted"));
        }
        finally
        {
            Signals.Thaw(agent);
        }
        // Still there, and still serving: the interrupt asked for before the detach ends the turn.
        JsonNode? seen = null;
        await Eventually.TrueAsync(async () => (seen = await node.SessionAsync(id))["result"]?["outcome"]?.GetValue<string>() == "interrupted",
            CliProcess.Deadline, () => $"the turn ends interrupted after the CLI detached: {seen?.ToJsonString()}\n{run.Stderr}");
        Assert.NotEqual("terminated", seen!["status"]!.GetValue<string>());
    }
}

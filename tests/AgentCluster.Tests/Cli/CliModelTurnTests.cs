using AgentCluster.Tests.Fakes;

namespace AgentCluster.Tests.Cli;

/// <summary>
/// <c>run</c> on a model runtime (the built-in Anthropic one, the model played by a <see cref="FakeAnthropic"/>): the
/// model's text once (not once per streamed fragment and again whole), and its tool call folded to one line with its result.
/// </summary>
public sealed class CliModelTurnTests
{
    [Fact]
    public async Task A_coding_turn_shows_its_tool_call_as_one_line_and_its_final_text()
    {
        await using var fake = await FakeAnthropic.StartAsync();
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = fake.ApiKey,
            ["ANTHROPIC_BASE_URL"] = fake.Url.ToString().TrimEnd('/'),
        });
        fake.Script(Reply.ToolUse("Bash", new { command = "echo hi > proof.txt && cat proof.txt" }), Reply.Text("Wrote proof.txt: it says hi."));

        var run = await CliProcess.RunAsync(node.Url, "run", "Write hi into proof.txt", "--runtime", "anthropic", "--model", "claude-test-model");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.StdoutLines.ToList();
        Assert.Contains("✓ Bash echo hi > proof.txt && cat proof.txt → hi", lines);
        Assert.Single(lines, "Wrote proof.txt: it says hi.");
        Assert.Contains(lines, l => l.StartsWith("✓ turn 1 success · 2 model calls · ", StringComparison.Ordinal));
        Assert.True(lines.IndexOf("✓ Bash echo hi > proof.txt && cat proof.txt → hi") < lines.IndexOf("Wrote proof.txt: it says hi."), run.ToString());
    }
}

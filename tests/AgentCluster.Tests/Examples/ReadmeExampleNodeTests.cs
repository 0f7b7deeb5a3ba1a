using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Docs;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.Runtimes;

namespace AgentCluster.Tests.Examples;

/// <summary>
/// The coding-agent example of docs/agents.md (marked <c>tested-by: ReadmeExampleNodeTests</c>) as it runs there: <c>POST /sessions</c> on a node on its embedded default, where
/// the Machines emulator runs the agent in the machine's own folder (its rootfs) as the node's user, then the
/// follow-up message and an interrupt, read from the event stream. The model is <see cref="PrimesModel"/> on a
/// <see cref="FakeAnthropic"/> the node's settings point the agents at.
/// </summary>
public sealed class ReadmeExampleNodeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>The session below is the one the docs show: the same id, preset, prompt and follow-up, and the interrupt.</summary>
    [Fact]
    public void The_docs_show_the_session_this_test_runs()
    {
        var code = DocBlock.TestedByClass<ReadmeExampleNodeTests>().Code;

        Assert.Contains($$"""{"session_id":"primes","preset":"code-assistant","prompt":"{{PrimesModel.Prompt}}"}""", code);
        Assert.Contains("curl -sN 127.0.0.1:8080/sessions/primes/events", code);
        Assert.Contains($$"""{"content":"{{PrimesModel.FollowUp}}"}""", code);
        Assert.Contains("curl -s -X POST 127.0.0.1:8080/sessions/primes/interrupt", code);
    }

    [Theory]
    [InlineData("claude-code", null, true)]
    [InlineData("claude-code", "code-assistant", true)]
    [InlineData("claude-code", "code-reviewer", false)]
    [InlineData("anthropic", null, true)]
    public async Task The_primes_session_writes_runs_follows_up_and_is_interrupted_as_README_shows(string runtime, string? preset, bool writes)
    {
        await using var fake = await FakeAnthropic.StartAsync();
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = fake.ApiKey,
            ["ANTHROPIC_BASE_URL"] = fake.Url.ToString().TrimEnd('/'),
        });
        var model = new PrimesModel(fake);
        model.ExpectPrompt();

        var created = await node.Http.PostAsJsonAsync("/sessions", new
        {
            session_id = "primes",
            preset,
            runtime = preset is null ? runtime : null,
            prompt = PrimesModel.Prompt,
            env = new Dictionary<string, string> { ["CLAUDE_CODE_PATH"] = ClaudeCodeCli.Executable },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await using var stream = await SseStream.OpenAsync(node.Http, "/sessions/primes/events");

        var first = await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the primes turn completes");
        Assert.Equal("success", first.Payload["outcome"]!.GetValue<string>());
        var workspace = Workspace("primes");
        var results = ToolResults(stream, 1);
        Assert.Equal(3, results.Count);
        if (writes)
        {
            Assert.Equal(PrimesModel.Script, await File.ReadAllTextAsync(Path.Combine(workspace, "primes.py")));
            Assert.All(results, result => Assert.False(result["is_error"]!.GetValue<bool>(), result.ToJsonString()));
            Assert.EndsWith(PrimesModel.PrimesBelow50, results[1]["content"]!.GetValue<string>().TrimEnd());
            Assert.Equal($"The script prints: {PrimesModel.PrimesBelow50}. That is 15 primes.", Texts(stream, 1)[^1]);
            Assert.Null(first.Payload["denied_tools"]);
        }
        else
        {
            Assert.False(File.Exists(Path.Combine(workspace, "primes.py")));
            Assert.All(results, result => Assert.True(result["is_error"]!.GetValue<bool>(), result.ToJsonString()));
            Assert.Equal(3, first.Payload["denied_tools"]!.GetValue<int>());
        }

        model.ExpectFollowUp();
        Assert.Equal(HttpStatusCode.Accepted, (await node.Http.PostAsJsonAsync("/sessions/primes/messages", new { content = PrimesModel.FollowUp })).StatusCode);
        var second = await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "the follow-up completes");
        Assert.Equal("success", second.Payload["outcome"]!.GetValue<string>());
        if (writes)
        {
            Assert.EndsWith(PrimesModel.PrimesBelow20, ToolResults(stream, 2)[^1]["content"]!.GetValue<string>().TrimEnd());
            Assert.Equal($"primes.py now takes the limit: `python3 primes.py 20` prints {PrimesModel.PrimesBelow20}.", Texts(stream, 2)[^1]);
        }
        else
        {
            Assert.Equal(2, second.Payload["denied_tools"]!.GetValue<int>());
        }

        model.ExpectSlow();
        await node.Http.PostAsJsonAsync("/sessions/primes/messages", new { content = PrimesModel.Slow });
        await model.Held.Holding.WaitAsync(Deadline);
        Assert.Equal(HttpStatusCode.Accepted, (await node.Http.PostAsync("/sessions/primes/interrupt", null)).StatusCode);
        var third = await stream.WaitForAsync(e => e.IsTurnCompleted(3), Deadline, "the interrupted turn ends");
        Assert.Equal("interrupted", third.Payload["outcome"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await node.Http.DeleteAsync("/sessions/primes")).StatusCode);
    }

    /// <summary>The session's workspace: its agent's working directory (the machine's rootfs, when no volume is named).</summary>
    private static string Workspace(string sessionId) =>
        new DirectoryInfo($"/proc/{Assert.Single(AgentProcesses.Of(sessionId))}/cwd").LinkTarget!;

    private static List<JsonObject> ToolResults(SseStream stream, int turn) =>
        stream.Received.Where(e => e.Turn == turn && e.Type == "agent.tool_result").Select(e => e.Payload).ToList();

    private static List<string> Texts(SseStream stream, int turn) =>
        stream.Received.Where(e => e.Turn == turn && e.Type == "agent.output" && e.Payload["stream"]!.GetValue<string>() == "text").Select(e => e.Text()).ToList();
}

using System.Globalization;
using System.Text.Json;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.Tests.Runtimes;

/// <summary>The claude-code runtime driving the real CLI against the fake Messages API.</summary>
public sealed class ClaudeCodeRuntimeTests : IAsyncLifetime
{
    private ClaudeCodeCli cli = null!;

    public async Task InitializeAsync() => cli = await ClaudeCodeCli.StartAsync();

    public async Task DisposeAsync() => await cli.DisposeAsync();

    [Fact]
    public async Task A_tool_call_changes_the_workspace_and_the_turn_reports_it_in_order()
    {
        var call = Reply.ToolUse("Bash", new { command = "echo hi > proof.txt" }, text: "Writing the proof.")
            with { InputTokens = 120, OutputTokens = 30, CacheCreationInputTokens = 5, CacheReadInputTokens = 7 };
        cli.Fake.Script(call, Reply.Text("done") with { InputTokens = 80, OutputTokens = 10 });

        var (outcome, events) = await cli.RunAsync(1, "prove that you can write");

        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(cli.Workspace, "proof.txt")));
        var conversation = events.Conversation;
        Assert.Equal(4, conversation.Count);
        Assert.Equal(new OutputEvent(OutputStreams.Text, "Writing the proof."), conversation[0]);
        var use = Assert.IsType<ToolUseEvent>(conversation[1]);
        Assert.Equal((call.ToolUseId, "Bash"), (use.Id, use.Name));
        Assert.Equal("echo hi > proof.txt", JsonDocument.Parse(use.Input).RootElement.GetProperty("command").GetString());
        var result = Assert.IsType<ToolResultEvent>(conversation[2]);
        Assert.Equal((call.ToolUseId, false), (result.ToolUseId, result.IsError));
        Assert.Equal(new OutputEvent(OutputStreams.Text, "done"), conversation[3]);

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        Assert.Equal(2, outcome.NumTurns);
        Assert.Equal(new TokenUsage(200, 40, 5, 7), outcome.Usage);
        Assert.True(outcome.CostUsd > 0, $"cost {outcome.CostUsd}");

        var requests = cli.Fake.Conversation;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("claude-test-model", r.Model));
        Assert.Contains("You are tested by AgentCluster.", requests[0].System);
        Assert.Contains("Bash", requests[0].ToolNames);
        Assert.Contains("prove that you can write", requests[0].MessagesText);
        Assert.Equal(call.ToolUseId, Assert.Single(requests[1].ToolResults).ToolUseId);
    }

    [Fact]
    public async Task Text_reaches_the_turn_as_the_model_writes_it_and_the_whole_block_follows()
    {
        var text = new StreamedText();
        text.Script(cli.Fake);
        var events = new TestRuntimeEvents();

        var running = cli.RunAsync(1, "how many primes below 50?", events: events);
        await text.SeenWhileHeldAsync(events, ClaudeCodeCli.TurnDeadline);
        var (outcome, _) = await running;

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        StreamedText.AssertStreamed(events);
    }

    [Fact]
    public async Task A_tool_result_longer_than_an_output_line_arrives_whole()
    {
        // Each stream-json message is one line; this one holds 20 000 characters of output (the CLI keeps 30 000).
        var call = Reply.ToolUse("Bash", new { command = "head -c 20000 /dev/zero | tr '\\0' x" });
        cli.Fake.Script(call, Reply.Text("done"));

        var (outcome, events) = await cli.RunAsync(1, "print a lot");

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        var result = Assert.Single(events.All.OfType<ToolResultEvent>());
        Assert.Equal((call.ToolUseId, false), (result.ToolUseId, result.IsError));
        Assert.Contains(new string('x', 20_000), result.Content);
        Assert.Empty(events.Output(OutputStreams.Stdout));
    }

    [Fact]
    public async Task A_follow_up_turn_continues_the_conversation_even_from_a_new_runtime()
    {
        cli.Fake.Script(Reply.Text("Noted: papaya."), Reply.Text("It was papaya."));

        var first = await cli.RunAsync(1, "Remember the word papaya.");
        var second = await cli.RunAsync(2, "Which word did I ask you to remember?");

        Assert.Equal((TurnOutcomes.Success, TurnOutcomes.Success), (first.Outcome.Outcome, second.Outcome.Outcome));
        Assert.Equal(["It was papaya."], second.Events.Output(OutputStreams.Text));
        var seen = cli.Fake.Conversation[1].MessagesText;
        Assert.Contains("Remember the word papaya.", seen);
        Assert.Contains("Noted: papaya.", seen);
        Assert.Contains("Which word did I ask you to remember?", seen);
        Assert.True(seen.IndexOf("Noted: papaya.", StringComparison.Ordinal) < seen.IndexOf("Which word", StringComparison.Ordinal), "history comes first");
    }

    [Fact]
    public async Task A_turn_whose_conversation_was_deleted_starts_a_new_one()
    {
        cli.Fake.Script(Reply.Text("one"), Reply.Text("two"), Reply.Text("three"));
        await cli.RunAsync(1, "first prompt");
        // As `git clean -fdx` in the workspace would, leaving the session id (kept elsewhere in a real deployment).
        Directory.Delete(Path.Combine(cli.Workspace, ".agentcluster", "claude-code", "config", "projects"), recursive: true);

        var (outcome, events) = await cli.RunAsync(2, "second prompt");
        var third = await cli.RunAsync(3, "third prompt");

        Assert.Equal((TurnOutcomes.Success, TurnOutcomes.Success), (outcome.Outcome, third.Outcome.Outcome));
        Assert.Contains(events.Output(OutputStreams.Stderr), line => line.Contains("is gone; this turn starts a new one", StringComparison.Ordinal));
        Assert.Equal(["two"], events.Output(OutputStreams.Text));
        var seen = cli.Fake.Conversation[^1].MessagesText;
        Assert.Contains("second prompt", seen);
        Assert.DoesNotContain("first prompt", seen);
    }

    [Fact]
    public async Task An_interrupted_turn_stops_the_cli_and_the_next_turn_still_works()
    {
        var held = Reply.Held("Let me think about this for a long time");
        cli.Fake.Script(Reply.Text("first answer"), held, Reply.Text("after the interrupt"));
        Assert.Equal(TurnOutcomes.Success, (await cli.RunAsync(1, "first question")).Outcome.Outcome);

        using var interrupt = new CancellationTokenSource();
        // A clock that never moves: the turn can only end because the CLI stopped on SIGINT, not killed after the grace.
        var interrupted = cli.RunAsync(2, "a question to interrupt", interrupt.Token, new FakeTimeProvider());
        await held.Holding.WaitAsync(ClaudeCodeCli.TurnDeadline);
        await interrupt.CancelAsync();

        Assert.Equal(TurnOutcomes.Interrupted, (await interrupted).Outcome.Outcome);
        await held.Disconnected.WaitAsync(ClaudeCodeCli.TurnDeadline);

        var (outcome, events) = await cli.RunAsync(3, "and now?");
        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        Assert.Equal(["after the interrupt"], events.Output(OutputStreams.Text));
        var seen = cli.Fake.Conversation[^1].MessagesText;
        Assert.Contains("first question", seen);
        Assert.Contains("a question to interrupt", seen);
    }

    [Fact]
    public async Task An_interrupt_during_a_tool_stops_the_tool_and_reports_the_interrupted_call()
    {
        // exec: the tool's shell becomes the sleep, so the pid it writes is the process that must end.
        var call = Reply.ToolUse("Bash", new { command = "echo $$ > tool.pid; exec sleep 300" });
        cli.Fake.Script(call);
        var pidFile = Path.Combine(cli.Workspace, "tool.pid");

        using var interrupt = new CancellationTokenSource();
        var running = cli.RunAsync(1, "wait a long time", interrupt.Token, new FakeTimeProvider());
        await Eventually.TrueAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), ClaudeCodeCli.TurnDeadline, "the tool started");
        var tool = int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
        Assert.True(Processes.Alive(tool));
        await interrupt.CancelAsync();

        var (outcome, events) = await running;
        Assert.Equal(TurnOutcomes.Interrupted, outcome.Outcome);
        await Eventually.TrueAsync(() => !Processes.Alive(tool), TimeSpan.FromSeconds(10), $"the tool's process {tool} ended");
        var results = events.All.OfType<ToolResultEvent>().ToList();
        Assert.True(results.Count == 1, $"one tool result; events: {string.Join(", ", events.All)}");
        Assert.Equal((call.ToolUseId, true), (results[0].ToolUseId, results[0].IsError));
    }

    [Fact]
    public async Task Reaching_max_turns_ends_the_turn_with_max_turns()
    {
        cli.Settings = cli.Settings with { MaxTurns = 1 };
        cli.Fake.Script(Reply.ToolUse("Bash", new { command = "echo one" }), Reply.Text("never asked for"));

        var (outcome, events) = await cli.RunAsync(1, "loop forever");

        Assert.Equal(TurnOutcomes.MaxTurns, outcome.Outcome);
        Assert.NotNull(outcome.Usage);
        Assert.Single(cli.Fake.Conversation);
        Assert.Single(events.All.OfType<ToolUseEvent>());
    }

    [Fact]
    public async Task An_api_error_ends_the_turn_with_error_and_its_message()
    {
        // Every request: the CLI (2.1.332) tries a refused request again in smaller forms before it gives up.
        cli.Fake.Script(_ => Reply.Error(400, "invalid_request_error", "the fake refuses this request"));

        var (outcome, _) = await cli.RunAsync(1, "too much");

        Assert.Equal(TurnOutcomes.Error, outcome.Outcome);
        Assert.Contains("the fake refuses this request", outcome.Reason);
    }
}

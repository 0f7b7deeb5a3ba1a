using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Runtimes.Anthropic;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Runtimes;

/// <summary>The anthropic runtime's turns against a fake Messages API, on a temporary workspace.</summary>
public sealed class AnthropicRuntimeTests : IAsyncLifetime
{
    /// <summary>Generous: the Bash tool's login shell runs the machine's profile first, which may wait on a lock of its own.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string workspace = Directory.CreateTempSubdirectory("anthropic-runtime-").FullName;
    private FakeAnthropic api = null!;

    public async Task InitializeAsync() => api = await FakeAnthropic.StartAsync();

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        Directory.Delete(workspace, recursive: true);
    }

    private AnthropicRuntime Runtime(AgentSettings? settings = null, string? apiKey = null) =>
        new(new RuntimeContext(workspace, settings ?? new AgentSettings(), new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = apiKey ?? api.ApiKey,
            ["ANTHROPIC_BASE_URL"] = api.Url.ToString(),
        }));

    private static Task<TurnOutcome> Turn(IAgentRuntime runtime, int number, string content, RecordedEvents? events = null, CancellationToken cancellationToken = default) =>
        runtime.RunTurnAsync(new AgentTurn(number, content), events ?? new RecordedEvents(), cancellationToken);

    [Fact]
    public async Task A_tool_call_changes_the_workspace_and_the_turn_reports_it_in_order_with_usage_and_cost()
    {
        var call = Reply.ToolUse("Bash", new { command = "echo hi > proof.txt && echo written" }, text: "I will write the proof.");
        api.Script(call, Reply.Text("Done.") with { InputTokens = 150, OutputTokens = 10 });
        var events = new RecordedEvents();

        var outcome = await Turn(Runtime(), 1, "write hi to proof.txt", events);

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(workspace, "proof.txt")));
        // A tool's output is matched at its end: the login shell's profile may write to stderr first.
        Assert.Collection(events.All,
            e => Assert.Equal("text: I will write the proof.", e),
            e => Assert.Equal($"tool_use {call.ToolUseId} Bash: {{\"command\":\"echo hi > proof.txt && echo written\"}}", e),
            e => Assert.Matches($"^tool_result {call.ToolUseId} ok: (.|\n)*written$", e),
            e => Assert.Equal("text: Done.", e));
        Assert.Equal(2, outcome.NumTurns);
        Assert.Equal(new TokenUsage(250, 30), outcome.Usage);
        Assert.Equal((250 * 3m + 30 * 15m) / 1_000_000m, outcome.CostUsd);
        var result = Assert.Single(api.Conversation[1].ToolResults);
        Assert.Equal(call.ToolUseId, result.ToolUseId);
        Assert.False(result.IsError);
        Assert.EndsWith("written", result.Content);
    }

    [Fact]
    public async Task Requests_carry_the_model_the_prompts_and_the_tools()
    {
        api.Script(Reply.Text("ok"));

        await Turn(Runtime(new AgentSettings { Model = "claude-haiku-4-5", SystemPrompt = "Answer in French." }), 1, "hello");

        var request = Assert.Single(api.Conversation);
        Assert.Equal("claude-haiku-4-5", request.Model);
        Assert.True(request.Stream);
        Assert.Equal(AnthropicRuntime.MaxTokens, request.MaxTokens);
        Assert.StartsWith("You are a coding agent.", request.System);
        Assert.EndsWith("Answer in French.", request.System);
        Assert.Equal(["Bash", "Read", "Write", "Edit", "Glob", "Grep"], request.ToolNames);
        Assert.Equal("hello", request.MessagesText);
    }

    [Fact]
    public async Task Text_reaches_the_turn_as_the_model_writes_it_and_the_whole_block_follows()
    {
        var text = new StreamedText();
        text.Script(api);
        var events = new TestRuntimeEvents();

        var running = Runtime().RunTurnAsync(new AgentTurn(1, "how many primes below 50?"), events, CancellationToken.None);
        await text.SeenWhileHeldAsync(events, Deadline);
        var outcome = await running.WaitAsync(Deadline);

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        StreamedText.AssertStreamed(events);
    }

    [Fact]
    public async Task A_follow_up_turn_sends_the_earlier_conversation()
    {
        api.Script(Reply.Text("first answer"), Reply.Text("second answer"));
        var runtime = Runtime();

        await Turn(runtime, 1, "first question");
        var outcome = await Turn(runtime, 2, "second question");

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        Assert.Equal(1, outcome.NumTurns);
        var messages = api.Conversation[1].Messages;
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("first question\nfirst answer\nsecond question", api.Conversation[1].MessagesText);
    }

    [Fact]
    public async Task The_conversation_survives_a_new_runtime_on_the_same_workspace()
    {
        api.Script(Reply.Text("remembered"), Reply.Text("still here"));

        await Turn(Runtime(), 1, "remember this");
        var outcome = await Turn(Runtime(), 2, "what did I say?");

        Assert.Equal(TurnOutcomes.Success, outcome.Outcome);
        Assert.Equal("remember this\nremembered\nwhat did I say?", api.Conversation[1].MessagesText);
        Assert.True(File.Exists(Path.Combine(workspace, Conversation.Folder, Conversation.FileName)));
        Assert.Equal("*\n", File.ReadAllText(Path.Combine(workspace, Conversation.Folder, ".gitignore")));
    }

    [Fact]
    public async Task Max_turns_ends_the_turn_and_the_next_turn_goes_on_from_a_consistent_conversation()
    {
        api.Script(_ => Reply.ToolUse("Bash", new { command = "true" }));
        var runtime = Runtime(new AgentSettings { MaxTurns = 2 });

        var outcome = await Turn(runtime, 1, "loop forever");

        Assert.Equal(TurnOutcomes.MaxTurns, outcome.Outcome);
        Assert.Equal(2, outcome.NumTurns);
        Assert.Equal(2, api.Conversation.Count);

        api.Script(Reply.Text("stopped"));
        var next = await Turn(runtime, 2, "stop now");

        Assert.Equal(TurnOutcomes.Success, next.Outcome);
        AssertEveryToolUseAnswered(api.Conversation[^1]);
    }

    [Fact]
    public async Task An_interrupt_mid_stream_ends_the_turn_and_the_next_turn_works()
    {
        var held = Reply.Held("Let me think");
        api.Script(held, Reply.Text("back again"));
        var runtime = Runtime();
        using var interrupt = new CancellationTokenSource();

        var running = Turn(runtime, 1, "a long question", cancellationToken: interrupt.Token);
        await held.Holding.WaitAsync(Deadline);
        await interrupt.CancelAsync();
        var outcome = await running.WaitAsync(Deadline);

        Assert.Equal(TurnOutcomes.Interrupted, outcome.Outcome);
        await held.Disconnected.WaitAsync(Deadline);

        var events = new RecordedEvents();
        var next = await Turn(runtime, 2, "never mind", events);

        Assert.Equal(TurnOutcomes.Success, next.Outcome);
        Assert.Equal(["text: back again"], events.All);
        var message = Assert.Single(api.Conversation[1].Messages);
        Assert.Equal("a long question\nnever mind", api.Conversation[1].MessagesText);
        Assert.Equal("user", message.GetProperty("role").GetString());
    }

    [Fact]
    public async Task An_interrupt_mid_tool_kills_it_and_the_next_turn_sends_the_call_answered()
    {
        var call = Reply.ToolUse("Bash", new { command = "touch started; sleep 300" });
        api.Script(call, Reply.Text("fine"));
        var runtime = Runtime();
        var events = new RecordedEvents();
        using var interrupt = new CancellationTokenSource();

        var running = Turn(runtime, 1, "wait a while", events, interrupt.Token);
        // Interrupted once the command runs, not while the login shell's profile still does (it may hold locks).
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(workspace, "started")), Deadline, "the tool's command started");
        await interrupt.CancelAsync();
        var outcome = await running.WaitAsync(Deadline);

        Assert.Equal(TurnOutcomes.Interrupted, outcome.Outcome);
        Assert.Equal(1, outcome.NumTurns);

        var next = await Turn(runtime, 2, "go on");

        Assert.Equal(TurnOutcomes.Success, next.Outcome);
        var result = Assert.Single(api.Conversation[1].ToolResults);
        Assert.Equal(call.ToolUseId, result.ToolUseId);
        Assert.True(result.IsError);
        Assert.Contains("interrupted", result.Content);
    }

    [Fact]
    public async Task A_wrong_key_is_an_error_outcome_with_the_reason()
    {
        api.Script(Reply.Text("never sent"));

        var outcome = await Turn(Runtime(apiKey: "sk-ant-wrong"), 1, "hello");

        Assert.Equal(TurnOutcomes.Error, outcome.Outcome);
        Assert.Contains("401", outcome.Reason);
        Assert.Contains("invalid x-api-key", outcome.Reason);
        Assert.DoesNotContain("sk-ant-wrong", outcome.Reason);
        Assert.Equal(0, outcome.NumTurns);
    }

    [Fact]
    public async Task A_server_error_that_outlasts_the_retries_is_an_error_outcome()
    {
        api.Script(_ => Reply.Error(529, "overloaded_error", "Overloaded"));

        var outcome = await Turn(Runtime(), 1, "hello");

        Assert.Equal(TurnOutcomes.Error, outcome.Outcome);
        Assert.Contains("529", outcome.Reason);
        Assert.Contains("Overloaded", outcome.Reason);
    }

    [Fact]
    public async Task No_key_at_all_is_an_error_outcome_without_a_call()
    {
        var runtime = new AnthropicRuntime(new RuntimeContext(workspace, new AgentSettings(), new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = api.Url.ToString(),
        }));
        // RuntimeContext falls back to the process's own environment, which a test run must not have a key in.
        Assert.Null(Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY"));

        var outcome = await Turn(runtime, 1, "hello");

        Assert.Equal(TurnOutcomes.Error, outcome.Outcome);
        Assert.Contains("ANTHROPIC_API_KEY", outcome.Reason);
        Assert.Empty(api.Requests);
    }

    [Theory]
    [InlineData("max_tokens", "max_tokens")]
    [InlineData("refusal", "declined")]
    [InlineData("model_context_window_exceeded", "context window")]
    public async Task A_reply_that_cannot_go_on_is_an_error_outcome_with_the_reason(string stopReason, string said)
    {
        api.Script(new MessageReply([new TextBlock("partial")], stopReason));

        var outcome = await Turn(Runtime(), 1, "hello");

        Assert.Equal(TurnOutcomes.Error, outcome.Outcome);
        Assert.Contains(said, outcome.Reason);
    }

    [Fact]
    public async Task A_call_of_a_disallowed_tool_is_answered_with_an_error_result()
    {
        var call = Reply.ToolUse("Bash", new { command = "touch made" });
        api.Script(call, Reply.Text("ok"));

        await Turn(Runtime(new AgentSettings { DisallowedTools = ["Bash"] }), 1, "try it");

        Assert.DoesNotContain("Bash", api.Conversation[0].ToolNames);
        var result = Assert.Single(api.Conversation[1].ToolResults);
        Assert.True(result.IsError);
        Assert.Contains("not allowed", result.Content);
        Assert.False(File.Exists(Path.Combine(workspace, "made")));
    }

    [Theory]
    [InlineData("claude-sonnet-4-5-20250929", 1_000_000, 0, 3)]
    [InlineData("claude-opus-4-6", 0, 1_000_000, 25)]
    [InlineData("claude-haiku-4-5", 1_000_000, 1_000_000, 6)]
    public void Cost_is_estimated_from_the_price_table(string model, long input, long output, decimal dollars)
    {
        Assert.Equal(dollars, ModelPrices.Estimate(model, new TokenUsage(input, output)));
    }

    [Fact]
    public void Cost_is_unknown_for_a_model_without_a_price() =>
        Assert.Null(ModelPrices.Estimate("claude-someday-9", new TokenUsage(1, 1)));

    /// <summary>Every tool_use the request's history carries is answered by a tool_result in the next message.</summary>
    private static void AssertEveryToolUseAnswered(FakeRequest request)
    {
        var messages = request.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            var uses = Blocks(messages[i], "tool_use").Select(b => b.GetProperty("id").GetString()).ToList();
            if (uses.Count == 0) continue;
            Assert.True(i + 1 < messages.Count, "a tool_use ends the conversation");
            Assert.Equal(uses, Blocks(messages[i + 1], "tool_result").Select(b => b.GetProperty("tool_use_id").GetString()));
        }
    }

    private static IEnumerable<JsonElement> Blocks(JsonElement message, string type) =>
        message.GetProperty("content") is { ValueKind: JsonValueKind.Array } content
            ? content.EnumerateArray().Where(b => b.GetProperty("type").GetString() == type)
            : [];

    /// <summary>A turn's events as one line each, in the order they came.</summary>
    private sealed class RecordedEvents : ITurnEvents
    {
        private readonly List<string> all = [];

        public IReadOnlyList<string> All { get { lock (all) return all.ToList(); } }

        public void Output(string stream, string text) => Add($"{stream}: {text}");

        // These tests read whole blocks; the fragments before them are Text_reaches_the_turn_as_the_model_writes_it's.
        public void TextDelta(string text) { }

        public void ToolUse(string id, string name, string input) => Add($"tool_use {id} {name}: {input}");

        public void ToolResult(string toolUseId, string content, bool isError) => Add($"tool_result {toolUseId} {(isError ? "error" : "ok")}: {content}");

        private void Add(string line)
        {
            lock (all) all.Add(line);
        }
    }
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>The last finished turn, kept as events come: a model turn's last complete text block, a shell turn's output tail, the refused tool calls.</summary>
public sealed class TurnResultsTests
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.Parse("2026-12-05T08:00:00Z"));

    [Fact]
    public void A_model_turns_result_is_its_last_complete_text_block_with_its_usage_cost_and_refused_tools()
    {
        var results = new TurnResults();
        Model(results, 1, EventTypes.AgentOutput, """{"stream":"text","text":"I'll write the script."}""");
        Model(results, 1, EventTypes.AgentToolUse, """{"id":"t1","name":"Bash","input":{"command":"python3 primes.py"}}""");
        Model(results, 1, EventTypes.AgentOutput, """{"stream":"text","text":"The primes","delta":true}""");
        Model(results, 1, EventTypes.AgentOutput, """{"stream":"text","text":"The primes are 2 3 5 7."}""");
        Model(results, 1, EventTypes.AgentOutput, """{"stream":"text","text":" (streamed after)","delta":true}""");
        clock.Advance(TimeSpan.FromSeconds(7));
        Model(results, 1, EventTypes.TurnCompleted,
            """{"outcome":"success","num_turns":4,"usage":{"input_tokens":100,"output_tokens":20,"cache_read_input_tokens":5},"cost_usd":0.0123,"denied_tools":2}""");

        var last = results.Last!;
        Assert.Equal((1, TurnOutcomes.Success, "The primes are 2 3 5 7."), (last.Turn, last.Outcome, last.Text));
        Assert.Equal(new TokenUsage(100, 20, 0, 5), last.Usage);
        Assert.Equal((0.0123m, 2, clock.GetUtcNow()), (last.CostUsd, last.DeniedTools, last.FinishedAt));
        Assert.Equal(2, results.DeniedTools);
    }

    [Fact]
    public void Refused_tool_calls_add_up_over_turns_and_a_turn_that_said_nothing_has_no_text()
    {
        var results = new TurnResults();
        Model(results, 1, EventTypes.AgentOutput, """{"stream":"text","text":"first"}""");
        Model(results, 1, EventTypes.TurnCompleted, """{"outcome":"success","denied_tools":1}""");
        Model(results, 2, EventTypes.TurnCompleted, """{"outcome":"interrupted","reason":"interrupted by the client","denied_tools":3}""");
        Assert.Equal((2, TurnOutcomes.Interrupted, (string?)null, "interrupted by the client", 3), (results.Last!.Turn, results.Last.Outcome, results.Last.Text, results.Last.Reason, results.Last.DeniedTools));
        Assert.Equal(4, results.DeniedTools);
    }

    [Fact]
    public void A_shell_turns_result_is_the_last_4096_characters_of_its_output_lines_and_its_exit_code()
    {
        var results = new TurnResults();
        for (var i = 0; i < 1000; i++) Shell(results, 1, EventTypes.AgentOutput, $$"""{"stream":"stdout","text":"line {{i:D4}}"}""");
        Shell(results, 1, EventTypes.AgentOutput, """{"stream":"stderr","text":"oops"}""");
        Shell(results, 1, EventTypes.TurnCompleted, """{"outcome":"error","exit_code":3}""");

        var last = results.Last!;
        Assert.Equal((TurnOutcomes.Error, 3), (last.Outcome, last.ExitCode));
        Assert.Equal(TurnResults.ShellTailChars, last.Text!.Length);
        Assert.EndsWith("line 0998\nline 0999\noops", last.Text);
        Assert.Null(last.Usage);
    }

    [Fact]
    public void Output_of_an_earlier_turn_or_a_malformed_payload_does_not_leak_into_a_result()
    {
        var results = new TurnResults();
        Shell(results, 1, EventTypes.AgentOutput, """{"stream":"stdout","text":"turn one"}""");
        Shell(results, 2, EventTypes.AgentOutput, """{"stream":"stdout","text":"turn two"}""");
        Shell(results, 2, EventTypes.AgentOutput, """{"stream":"stdout","text":""");
        Shell(results, 2, EventTypes.TurnCompleted, """{"outcome":"success","exit_code":0}""");
        Assert.Equal("turn two", results.Last!.Text);
    }

    private void Model(TurnResults results, int turn, string type, string payload) => results.Observe(type, turn, payload, clock.GetUtcNow(), shell: false);

    private void Shell(TurnResults results, int turn, string type, string payload) => results.Observe(type, turn, payload, clock.GetUtcNow(), shell: true);
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Runtimes.ClaudeCode;

namespace AgentCluster.Tests.Runtimes;

/// <summary>
/// The stream-json mapping on lines recorded from Claude Code 2.1.197 against the fake API (long fields such as
/// the init message's tool and command lists, uuids and timings cut out).
/// </summary>
public sealed class ClaudeCodeStreamJsonTests
{
    private const string Session = "f7428983-1433-43bb-aa71-611b8b7783e2";

    private const string Init =
        """{"type":"system","subtype":"init","cwd":"/tmp/ws","session_id":"f7428983-1433-43bb-aa71-611b8b7783e2","tools":["Bash","Read"],"model":"claude-test","permissionMode":"default","apiKeySource":"ANTHROPIC_API_KEY","claude_code_version":"2.1.197"}""";

    private static readonly string[] ToolTurn =
    [
        Init,
        """{"type":"assistant","message":{"id":"msg_fake_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"Trying."}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}},"parent_tool_use_id":null,"session_id":"f7428983-1433-43bb-aa71-611b8b7783e2","request_id":"req_fake_9880ecd461b141ea"}""",
        """{"type":"assistant","message":{"id":"msg_fake_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"tool_use","id":"toolu_fc7b","name":"Bash","input":{"command":"echo hi; exit 3"}}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}},"parent_tool_use_id":null,"session_id":"f7428983-1433-43bb-aa71-611b8b7783e2"}""",
        """{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"Exit code 3\nhi","is_error":true,"tool_use_id":"toolu_fc7b"}]},"parent_tool_use_id":null,"session_id":"f7428983-1433-43bb-aa71-611b8b7783e2","tool_use_result":"Error: Exit code 3\nhi"}""",
        """{"type":"assistant","message":{"id":"msg_fake_2","type":"message","role":"assistant","model":"claude-test","content":[{"type":"tool_use","id":"toolu_b071","name":"Write","input":{"file_path":"/tmp/ws/x.txt","content":"x"}}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}},"parent_tool_use_id":null,"session_id":"f7428983-1433-43bb-aa71-611b8b7783e2"}""",
        """{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"Claude requested permissions to write to /tmp/ws/x.txt, but you haven't granted it yet.","is_error":true,"tool_use_id":"toolu_b071"}]},"parent_tool_use_id":null,"session_id":"f7428983-1433-43bb-aa71-611b8b7783e2"}""",
        """{"type":"assistant","message":{"id":"msg_fake_3","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"done"}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}},"parent_tool_use_id":null,"session_id":"f7428983-1433-43bb-aa71-611b8b7783e2"}""",
        """{"type":"result","subtype":"success","is_error":false,"duration_ms":1917,"num_turns":3,"result":"done","stop_reason":"end_turn","session_id":"f7428983-1433-43bb-aa71-611b8b7783e2","total_cost_usd":0.003,"usage":{"input_tokens":300,"cache_creation_input_tokens":11,"cache_read_input_tokens":22,"output_tokens":60}}""",
    ];

    [Fact]
    public void A_turn_with_tools_becomes_text_tool_use_and_tool_result_events_in_order()
    {
        var (turn, events, _) = Read(ToolTurn);

        Assert.Equal<RuntimeEvent>(
        [
            new OutputEvent(OutputStreams.Text, "Trying."),
            new ToolUseEvent("toolu_fc7b", "Bash", """{"command":"echo hi; exit 3"}"""),
            new ToolResultEvent("toolu_fc7b", "Exit code 3\nhi", true),
            new ToolUseEvent("toolu_b071", "Write", """{"file_path":"/tmp/ws/x.txt","content":"x"}"""),
            new ToolResultEvent("toolu_b071", "Claude requested permissions to write to /tmp/ws/x.txt, but you haven't granted it yet.", true),
            new OutputEvent(OutputStreams.Text, "done"),
        ], events.All);
        Assert.Equal(new TurnOutcome(TurnOutcomes.Success, NumTurns: 3, Usage: new TokenUsage(300, 60, 11, 22), CostUsd: 0.003m), turn.Outcome);
    }

    [Fact]
    public void An_interrupted_turn_closes_the_tool_calls_the_cli_left_without_a_result()
    {
        // The first two calls of ToolTurn: the first has its result, the second was cut off before its own.
        var (turn, events, _) = Read(ToolTurn[..5]);

        turn.CloseOpenToolCalls("Interrupted.");
        turn.CloseOpenToolCalls("Interrupted again.");

        var results = events.All.OfType<ToolResultEvent>().ToList();
        Assert.Equal([new ToolResultEvent("toolu_fc7b", "Exit code 3\nhi", true), new ToolResultEvent("toolu_b071", "Interrupted.", true)], results);
    }

    /// <summary>With --include-partial-messages (uuids cut out; the thinking delta is as the API sends one).</summary>
    private static readonly string[] PartialTurn =
    [
        """{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_fake_1","type":"message","role":"assistant","model":"claude-test-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}},"session_id":"3bdbead9","parent_tool_use_id":null,"ttft_ms":37}""",
        """{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me check."}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Check"}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"ing f"}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"irst."}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"assistant","message":{"id":"msg_fake_1","type":"message","role":"assistant","model":"claude-test-model","content":[{"type":"text","text":"Checking first."}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1},"context_management":null},"parent_tool_use_id":null,"session_id":"3bdbead9","request_id":"req_fake_0b643e44df4447ca"}""",
        """{"type":"stream_event","event":{"type":"content_block_stop","index":1},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_de8a","name":"Bash","input":{}}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"command\":\"echo hi\"}"}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"assistant","message":{"id":"msg_fake_1","type":"message","role":"assistant","model":"claude-test-model","content":[{"type":"tool_use","id":"toolu_de8a","name":"Bash","input":{"command":"echo hi"}}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1},"context_management":null},"parent_tool_use_id":null,"session_id":"3bdbead9","request_id":"req_fake_0b643e44df4447ca"}""",
        """{"type":"stream_event","event":{"type":"content_block_stop","index":2},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":20}},"session_id":"3bdbead9","parent_tool_use_id":null}""",
        """{"type":"stream_event","event":{"type":"message_stop"},"session_id":"3bdbead9","parent_tool_use_id":null}""",
    ];

    [Fact]
    public void Partial_text_becomes_text_deltas_before_its_whole_block_and_thinking_and_tool_input_deltas_are_skipped()
    {
        var (_, events, _) = Read(PartialTurn);

        Assert.Equal<RuntimeEvent>(
        [
            new TextDeltaEvent("Check"),
            new TextDeltaEvent("ing f"),
            new TextDeltaEvent("irst."),
            new OutputEvent(OutputStreams.Text, "Checking first."),
            new ToolUseEvent("toolu_de8a", "Bash", """{"command":"echo hi"}"""),
        ], events.All);
    }

    [Fact]
    public void Tool_calls_the_permissions_refused_are_counted_from_the_results_permission_denials()
    {
        // Recorded from Claude Code 2.1.332 in plan mode: the refused call is an error result and a denial.
        var (turn, events, _) = Read(
            """{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"Auto mode is unavailable: its safety check does not run for this session, so Bash was not run.","is_error":true,"tool_use_id":"toolu_f8f8"}]},"parent_tool_use_id":null,"session_id":"5f03cf7f","tool_result_meta":[{"id":"toolu_f8f8","non_execution_kind":"automode-unavailable","permission_decision":{"decision":"reject","source":"config","reason_type":"classifier"}}]}""",
            """{"type":"result","subtype":"success","is_error":false,"num_turns":3,"result":"done","stop_reason":"end_turn","session_id":"5f03cf7f","total_cost_usd":0.0024,"usage":{"input_tokens":300,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":60},"permission_denials":[{"tool_name":"Bash","tool_use_id":"toolu_f8f8","tool_input":{"command":"python3 primes.py"}},{"tool_name":"Bash","tool_use_id":"toolu_a1b2","tool_input":{"command":"rm -rf build"}}],"terminal_reason":"completed"}""");

        Assert.True(Assert.Single(events.All.OfType<ToolResultEvent>()).IsError);
        Assert.Equal(new TurnOutcome(TurnOutcomes.Success, NumTurns: 3, Usage: new TokenUsage(300, 60), CostUsd: 0.0024m, DeniedTools: 2), turn.Outcome);
        Assert.Contains("\"denied_tools\":2", turn.Outcome!.ToPayload());
        Assert.Null(Read(ToolTurn[^1].Replace("\"total_cost_usd\"", "\"permission_denials\":[],\"total_cost_usd\"")).Turn.Outcome!.DeniedTools);
        Assert.DoesNotContain("denied_tools", Read(ToolTurn).Turn.Outcome!.ToPayload());
    }

    [Fact]
    public void The_session_id_is_kept_once_a_message_after_init_shows_the_conversation_was_saved()
    {
        var (_, _, saved) = Read(Init);
        Assert.Empty(saved);

        (_, _, saved) = Read(ToolTurn);
        Assert.Equal([Session], saved);
    }

    [Fact]
    public void Tool_results_with_text_parts_are_joined_and_text_blocks_of_user_messages_skipped()
    {
        var (_, events, _) = Read(
            """{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"line one"},{"type":"image","source":{}},{"type":"text","text":"line two"}]}]},"session_id":"s"}""",
            """{"type":"user","message":{"role":"user","content":[{"type":"text","text":"[Request interrupted by user for tool use]"}]},"session_id":"s"}""",
            """{"type":"assistant","message":{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"x"},{"type":"text","text":"after thought"}]},"session_id":"s"}""");

        Assert.Equal<RuntimeEvent>([new ToolResultEvent("toolu_1", "line one\nline two", false), new OutputEvent(OutputStreams.Text, "after thought")], events.All);
    }

    [Fact]
    public void Max_turns_ends_with_max_turns_and_the_cli_reason()
    {
        var (turn, _, _) = Read(
            """{"type":"result","subtype":"error_max_turns","duration_ms":725,"is_error":true,"num_turns":2,"stop_reason":"tool_use","session_id":"7433360b","total_cost_usd":0.001,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":20},"errors":["Reached maximum number of turns (1)"]}""");

        Assert.Equal(new TurnOutcome(TurnOutcomes.MaxTurns, Reason: "Reached maximum number of turns (1)", NumTurns: 2, Usage: new TokenUsage(100, 20), CostUsd: 0.001m), turn.Outcome);
    }

    [Fact]
    public void An_api_error_reported_as_success_with_is_error_is_an_error_and_retries_are_said_on_stderr()
    {
        var (turn, events, _) = Read(
            """{"type":"system","subtype":"api_retry","attempt":1,"max_retries":1,"retry_delay_ms":592.8421338412726,"error_status":529,"error":"overloaded","session_id":"92d3f7f6"}""",
            """{"type":"assistant","message":{"id":"a4030f01","model":"<synthetic>","role":"assistant","stop_reason":"stop_sequence","stop_sequence":"","type":"message","usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0},"content":[{"type":"text","text":"API Error: 529 busy."}]},"parent_tool_use_id":null,"session_id":"92d3f7f6","error":"server_error"}""",
            """{"type":"result","subtype":"success","is_error":true,"duration_ms":926,"num_turns":1,"result":"API Error: 529 busy.","stop_reason":"stop_sequence","session_id":"92d3f7f6","total_cost_usd":0,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}""");

        Assert.Equal((TurnOutcomes.Error, "API Error: 529 busy."), (turn.Outcome!.Outcome, turn.Outcome.Reason));
        Assert.Equal<RuntimeEvent>(
        [
            new OutputEvent(OutputStreams.Stderr, "claude: API request failed (529 overloaded), retry 1 of 1 in 0.6 s"),
            new OutputEvent(OutputStreams.Text, "API Error: 529 busy."),
        ], events.All);
    }

    [Fact]
    public void A_resume_of_a_lost_conversation_is_an_error_naming_it()
    {
        var (turn, _, saved) = Read(
            """{"type":"result","subtype":"error_during_execution","duration_ms":0,"is_error":true,"num_turns":0,"stop_reason":null,"session_id":"b8c2d335","total_cost_usd":0,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0},"errors":["No conversation found with session ID: b8c2d335"]}""");

        Assert.Equal((TurnOutcomes.Error, "No conversation found with session ID: b8c2d335", 0), (turn.Outcome!.Outcome, turn.Outcome.Reason, turn.Outcome.NumTurns));
        Assert.True(turn.ConversationNotFound);
        Assert.Empty(saved);
        Assert.False(Read(ToolTurn).Turn.ConversationNotFound);
    }

    [Fact]
    public void Lines_that_are_not_json_are_kept_as_stdout_and_unknown_messages_skipped()
    {
        var (turn, events, _) = Read(
            "Warning: something the CLI printed",
            "",
            """{"type":"system","subtype":"compact_boundary","session_id":"s"}""",
            """{"type":"stream_event","event":{"type":"ping"},"session_id":"s"}""",
            "[1,2]");

        Assert.Equal<RuntimeEvent>([new OutputEvent(OutputStreams.Stdout, "Warning: something the CLI printed")], events.All);
        Assert.Null(turn.Outcome);
    }

    private static (StreamJsonTurn Turn, TestRuntimeEvents Events, List<string> Saved) Read(params string[] lines)
    {
        var events = new TestRuntimeEvents();
        var saved = new List<string>();
        var turn = new StreamJsonTurn(events, saved.Add);
        foreach (var line in lines) turn.Read(line);
        return (turn, events, saved);
    }
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.OpenAi;
using AgentCluster.Silo.Sessions.Turns;

namespace AgentCluster.UnitTests.OpenAi;

/// <summary>A session's events read as one turn's OpenAI answer: the text deltas, the finish, the usage, the failures.</summary>
public sealed class ChatTurnTranslatorTests
{
    private long seq;

    [Fact]
    public void Streamed_fragments_are_deltas_and_the_complete_block_adds_only_what_they_did_not_say()
    {
        var turn = Translator(includeUsage: true);
        var chunks = Feed(turn,
            Event(2, EventTypes.UserMessage, """{"content":"hi"}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"Hel","delta":true}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"lo","delta":true}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"Hello there."}"""),
            Event(2, EventTypes.TurnCompleted, """{"outcome":"success","usage":{"input_tokens":10,"output_tokens":4,"cache_read_input_tokens":3}}"""));

        Assert.Equal(["", "Hel", "lo", " there."], chunks.SelectMany(c => c.Choices).Where(c => c.Delta.Content is not null).Select(c => c.Delta.Content));
        Assert.Equal("assistant", chunks[0].Choices[0].Delta.Role);
        Assert.All(chunks.Skip(1), c => Assert.True(c.Choices.Count == 0 || c.Choices[0].Delta.Role is null));
        Assert.Equal("stop", chunks[^2].Choices.Single().FinishReason);
        Assert.Equal((0, new ChatUsage(13, 4)), (chunks[^1].Choices.Count, chunks[^1].Usage));
        Assert.All(chunks, c => Assert.Equal(("chatcmpl-1", 1700000000L, "coder", "chat.completion.chunk"), (c.Id, c.Created, c.Model, c.Object)));
        Assert.True(turn.Ended);
        Assert.Null(turn.Failure);
        Assert.Equal("Hello there.", turn.Completion().Choices[0].Message.Content);
    }

    [Fact]
    public void Tool_calls_are_not_leaked_and_text_blocks_are_apart_by_a_blank_line()
    {
        var turn = Translator();
        var chunks = Feed(turn,
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"I'll look."}"""),
            Event(2, EventTypes.AgentToolUse, """{"id":"t1","name":"Bash","input":{"command":"ls"}}"""),
            Event(2, EventTypes.AgentToolResult, """{"tool_use_id":"t1","content":"secret.txt","is_error":false}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"stderr","text":"claude: retrying"}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"One","delta":true}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"One file."}"""),
            Event(2, EventTypes.TurnCompleted, """{"outcome":"success"}"""));

        Assert.Equal("I'll look.\n\nOne file.", turn.Text);
        Assert.DoesNotContain(chunks, c => c.Choices.Any(x => x.Delta.Content?.Contains("secret", StringComparison.Ordinal) == true));
        Assert.DoesNotContain(chunks, c => c.Usage is not null); // not asked for
        var completion = turn.Completion();
        Assert.Equal(("chat.completion", "assistant", "stop"), (completion.Object, completion.Choices[0].Message.Role, completion.Choices[0].FinishReason));
    }

    [Fact]
    public void Events_of_other_turns_are_ignored_and_a_shell_turns_text_is_its_output_lines()
    {
        var turn = Translator(shell: true);
        Feed(turn,
            Event(1, EventTypes.AgentOutput, """{"stream":"stdout","text":"turn one"}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"stdout","text":"hello"}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"stderr","text":"warning"}"""),
            Event(3, EventTypes.TurnCompleted, """{"outcome":"success"}"""));
        Assert.False(turn.Ended);
        Feed(turn, Event(2, EventTypes.TurnCompleted, """{"outcome":"success","exit_code":0}"""));
        Assert.Equal(("hello\nwarning\n", new ChatUsage(0, 0)), (turn.Text, turn.Usage));
        Assert.True(turn.Ended);
    }

    [Fact]
    public void A_turn_out_of_model_turns_finishes_with_length()
    {
        var turn = Translator();
        var chunks = Feed(turn, Event(2, EventTypes.TurnCompleted, """{"outcome":"max_turns"}"""));
        Assert.Equal(["assistant", null], chunks.Select(c => c.Choices[0].Delta.Role));
        Assert.Equal("length", chunks[^1].Choices[0].FinishReason);
        Assert.Equal("length", turn.Completion().Choices[0].FinishReason);
    }

    [Fact]
    public void A_failed_turn_is_a_failure_with_its_reason_and_no_finish_chunk()
    {
        var turn = Translator(includeUsage: true);
        var chunks = Feed(turn, Event(2, EventTypes.TurnCompleted, """{"outcome":"error","reason":"model refused the key"}"""));
        Assert.Empty(chunks);
        Assert.True(turn.Ended);
        Assert.Equal(("server_error", "turn_failed"), (turn.Failure!.Error.Type, turn.Failure.Error.Code));
        Assert.Contains("model refused the key", turn.Failure.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_session_ending_before_the_turn_is_a_failure_and_later_events_add_nothing()
    {
        var turn = Translator();
        Feed(turn, Event(2, EventTypes.SessionStatus, """{"status":"idle"}"""));
        Assert.False(turn.Ended);
        Feed(turn, Event(0, EventTypes.SessionStatus, """{"status":"terminated","reason":"deleted"}"""));
        Assert.Equal("session_terminated", turn.Failure?.Error.Code);
        Assert.Contains("deleted", turn.Failure!.Error.Message, StringComparison.Ordinal);
        Assert.Empty(turn.Observe(Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"late"}""")));
    }

    [Fact]
    public void A_malformed_payload_says_nothing()
    {
        var turn = Translator();
        Assert.Empty(turn.Observe(Event(2, EventTypes.AgentOutput, "not json")));
        Assert.Empty(turn.Observe(Event(2, EventTypes.AgentOutput, """["text"]""")));
        Assert.False(turn.Ended);
    }

    private static ChatTurnTranslator Translator(bool shell = false, bool includeUsage = false) =>
        new("chatcmpl-1", 1700000000, "coder", new TurnReader(2, shell), includeUsage);

    private SessionEvent Event(int turn, string type, string payload) => new() { Seq = ++seq, Type = type, Turn = turn, Payload = payload };

    private static List<ChatCompletionChunk> Feed(ChatTurnTranslator turn, params SessionEvent[] events) => events.SelectMany(turn.Observe).ToList();
}

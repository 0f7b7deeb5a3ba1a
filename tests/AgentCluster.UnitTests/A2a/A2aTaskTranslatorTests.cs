using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.A2a;
using AgentCluster.Silo.Sessions.Turns;

namespace AgentCluster.UnitTests.A2a;

/// <summary>A session's events read as one turn's A2A task: its states, its answer as artifact pieces, its final status.</summary>
public sealed class A2aTaskTranslatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private long seq;

    [Fact]
    public void A_turn_is_submitted_then_working_its_text_comes_as_artifact_pieces_and_it_ends_completed_with_its_answer()
    {
        var task = Translator();
        var events = Feed(task,
            Event(1, EventTypes.TurnCompleted, """{"outcome":"success"}"""), // an earlier turn: not this task's
            Event(2, EventTypes.UserMessage, """{"content":"hi"}"""),
            Event(2, EventTypes.AgentToolUse, """{"id":"t1","name":"Bash","input":{"command":"cat secret.txt"}}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"Hel","delta":true}"""),
            Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"Hello."}"""),
            Event(2, EventTypes.TurnCompleted, """{"outcome":"success"}"""));

        Assert.Collection(events,
            e => Assert.Equal(new A2aStatusUpdate("ses-1-t2", "ses-1", new A2aStatus(A2aTaskState.Working, At(3)), Final: false), e),
            e => Assert.Equal(new A2aArtifactUpdate("ses-1-t2", "ses-1", "Hel", Append: false, LastChunk: false), e),
            e => Assert.Equal(new A2aArtifactUpdate("ses-1-t2", "ses-1", "lo.", Append: true, LastChunk: false), e),
            e => Assert.Equal(new A2aArtifactUpdate("ses-1-t2", "ses-1", "", Append: true, LastChunk: true), e),
            e => Assert.Equal(new A2aStatusUpdate("ses-1-t2", "ses-1", new A2aStatus(A2aTaskState.Completed, At(6), "Hello."), Final: true), e));
        Assert.True(task.Ended);
        Assert.Equal(new A2aTask("ses-1-t2", "ses-1", new A2aStatus(A2aTaskState.Completed, At(6), "Hello."), "Hello."), task.Snapshot());
        Assert.Empty(task.Observe(Event(2, EventTypes.AgentOutput, """{"stream":"text","text":"late"}""")));
    }

    [Fact]
    public void A_task_read_before_the_agent_starts_is_submitted_as_of_its_message()
    {
        var task = Translator();
        Assert.Empty(Feed(task, Event(2, EventTypes.UserMessage, """{"content":"hi"}""")));
        Assert.Equal(new A2aTask("ses-1-t2", "ses-1", new A2aStatus(A2aTaskState.Submitted, At(1)), null), task.Snapshot());
        Assert.False(task.Ended);
    }

    [Theory]
    [InlineData("""{"outcome":"interrupted"}""", A2aTaskState.Canceled, "so far")]
    [InlineData("""{"outcome":"max_turns"}""", A2aTaskState.Completed, "so far")]
    [InlineData("""{"outcome":"error","reason":"boom"}""", A2aTaskState.Failed, "The agent's turn 2 ended with outcome 'error': boom.")]
    [InlineData("""{"outcome":"timeout"}""", A2aTaskState.Failed, "The agent's turn 2 ended with outcome 'timeout'.")]
    public void The_turns_outcome_is_the_tasks_final_state(string completed, A2aTaskState state, string message)
    {
        var task = Translator(shell: true);
        var events = Feed(task,
            Event(2, EventTypes.AgentOutput, """{"stream":"stdout","text":"so far"}"""),
            Event(2, EventTypes.TurnCompleted, completed));

        var final = Assert.IsType<A2aStatusUpdate>(events[^1]);
        Assert.Equal((state, message, true), (final.Status.State, final.Status.Message?.TrimEnd('\n'), final.Final));
        Assert.Equal("so far\n", task.Snapshot().Result);
    }

    [Fact]
    public void The_session_ending_first_fails_the_task_and_a_turn_that_said_nothing_has_no_artifact()
    {
        var task = Translator();
        var events = Feed(task,
            Event(2, EventTypes.AgentToolUse, """{"id":"t1","name":"Bash","input":{}}"""),
            Event(0, EventTypes.SessionStatus, """{"status":"terminated","reason":"deleted"}"""));

        Assert.Equal([A2aTaskState.Working, A2aTaskState.Failed], events.Cast<A2aStatusUpdate>().Select(e => e.Status.State));
        Assert.Contains("'deleted'", task.Status.Message, StringComparison.Ordinal);
        Assert.Null(task.Snapshot().Result);
    }

    [Theory]
    [InlineData("ses-1-t2", "ses-1", 2)]
    [InlineData("chat-t1-t12", "chat-t1", 12)]
    public void A_task_id_is_its_sessions_id_and_turn(string taskId, string sessionId, int turn)
    {
        Assert.Equal((sessionId, turn), TaskIds.Parse(taskId));
        Assert.Equal(taskId, TaskIds.Of(sessionId, turn));
    }

    [Theory]
    [InlineData("ses-1")]
    [InlineData("ses-1-t0")]
    [InlineData("-t1")]
    [InlineData("ses-1-tx")]
    public void Other_ids_are_no_task_of_this_nodes(string taskId) => Assert.Null(TaskIds.Parse(taskId));

    private static A2aTaskTranslator Translator(bool shell = false) => new("ses-1", new TurnReader(2, shell), Start);

    private static DateTimeOffset At(long seq) => Start.AddSeconds(seq);

    private SessionEvent Event(int turn, string type, string payload)
    {
        seq++;
        return new() { Seq = seq, Type = type, Turn = turn, At = At(seq), Payload = payload };
    }

    private static List<A2aEvent> Feed(A2aTaskTranslator task, params SessionEvent[] events) => events.SelectMany(task.Observe).ToList();
}

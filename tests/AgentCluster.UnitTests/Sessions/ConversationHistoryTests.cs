using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>The conversation a restart's new machine is handed: finished turns from the log, oldest first, bounded with the newest kept.</summary>
public sealed class ConversationHistoryTests
{
    private long seq;

    [Fact]
    public void Finished_turns_are_their_prompts_and_final_texts_oldest_first_and_an_unfinished_turn_is_left_out()
    {
        var history = new ConversationHistory(shell: false);
        Turn(history, 1, "write primes.py", "Draft.", "Done: primes.py prints 2 3 5 7.");
        Observe(history, EventTypes.SessionStatus, 1, """{"status":"idle"}""");
        Observe(history, EventTypes.UserMessage, 2, """{"content":"now to 20"}""");
        Observe(history, EventTypes.TurnCompleted, 2, """{"outcome":"interrupted","reason":"restarted"}""");
        Observe(history, EventTypes.UserMessage, 3, """{"content":"still queued"}""");

        Assert.Equal([new ConversationTurn(1, "write primes.py", "Done: primes.py prints 2 3 5 7."), new ConversationTurn(2, "now to 20", null)],
            history.Turns());
    }

    [Fact]
    public void A_shell_turns_reply_is_its_output_tail()
    {
        var history = new ConversationHistory(shell: true);
        Observe(history, EventTypes.UserMessage, 1, """{"content":"ls"}""");
        Observe(history, EventTypes.AgentOutput, 1, """{"stream":"stdout","text":"a.txt"}""");
        Observe(history, EventTypes.TurnCompleted, 1, """{"outcome":"success","exit_code":0}""");

        Assert.Equal("a.txt", Assert.Single(history.Turns()).Reply);
    }

    [Fact]
    public void Only_the_newest_turns_are_kept_by_count()
    {
        var history = new ConversationHistory(shell: false);
        for (var turn = 1; turn <= ConversationHistory.MaxTurns + 10; turn++) Turn(history, turn, $"p{turn}", reply: $"r{turn}");

        var turns = history.Turns();

        Assert.Equal(ConversationHistory.MaxTurns, turns.Count);
        Assert.Equal((11, ConversationHistory.MaxTurns + 10), (turns[0].Turn, turns[^1].Turn));
    }

    [Fact]
    public void Only_the_newest_turns_are_kept_by_size_and_a_turn_too_long_alone_is_cut_to_fit()
    {
        var history = new ConversationHistory(shell: false);
        var third = ConversationHistory.MaxChars / 3;
        for (var turn = 1; turn <= 4; turn++) Turn(history, turn, $"p{turn}", reply: new string('x', third));

        Assert.Equal([3, 4], history.Turns().Select(t => t.Turn)); // a third turn would pass the bound

        var huge = new ConversationHistory(shell: false);
        Turn(huge, 1, new string('p', ConversationHistory.MaxChars), reply: new string('r', ConversationHistory.MaxChars) + "END");
        var cut = Assert.Single(huge.Turns());
        Assert.True(cut.Prompt.Length + cut.Reply!.Length <= ConversationHistory.MaxChars);
        Assert.EndsWith("END", cut.Reply); // a reply keeps its end
    }

    private void Turn(ConversationHistory history, int turn, string prompt, string? draft = null, string? reply = null)
    {
        Observe(history, EventTypes.UserMessage, turn, EventPayloads.UserMessage(prompt));
        if (draft is not null) Observe(history, EventTypes.AgentOutput, turn, EventPayloads.Output("text", draft));
        if (reply is not null) Observe(history, EventTypes.AgentOutput, turn, EventPayloads.Output("text", reply));
        Observe(history, EventTypes.TurnCompleted, turn, EventPayloads.TurnCompleted(TurnOutcomes.Success, exitCode: null));
    }

    private void Observe(ConversationHistory history, string type, int turn, string payload) =>
        history.Observe(new SessionEvent { Seq = ++seq, Type = type, Turn = turn, Payload = payload, At = DateTimeOffset.UnixEpoch });
}

using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Runtimes.Anthropic;
using AgentCluster.Agent.Runtimes.ClaudeCode;

namespace AgentCluster.UnitTests.Runtimes;

/// <summary>How a runtime with no conversation of its own takes the session's earlier turns (a restart's new machine).</summary>
public sealed class EarlierTurnsTests : IDisposable
{
    private static readonly ConversationTurn[] Turns = [new(1, "Remember 42.", "Noted."), new(2, "Stop.", null)];

    private readonly string workspace = Directory.CreateTempSubdirectory("earlier-turns-").FullName;

    public void Dispose() => Directory.Delete(workspace, recursive: true);

    [Fact]
    public void The_claude_code_prompt_quotes_the_earlier_turns_in_order_before_the_new_message_and_is_unchanged_without_them()
    {
        var prompt = EarlierTurns.Before("Which number?", Turns);

        Assert.True(prompt.IndexOf("Remember 42.", StringComparison.Ordinal) < prompt.IndexOf("Noted.", StringComparison.Ordinal)
            && prompt.IndexOf("Noted.", StringComparison.Ordinal) < prompt.IndexOf("Stop.", StringComparison.Ordinal));
        Assert.EndsWith("\nWhich number?", prompt);
        Assert.Equal("Which number?", EarlierTurns.Before("Which number?", []));
    }

    [Fact]
    public void The_anthropic_conversation_is_seeded_with_user_and_assistant_messages_only_when_it_has_none_saved()
    {
        var fresh = Conversation.Open(workspace);
        fresh.Seed(Turns);
        fresh.AddUserText("Which number?");
        fresh.Save();

        var messages = JsonNode.Parse(File.ReadAllText(Path.Combine(workspace, Conversation.Folder, Conversation.FileName)))!["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => (string)m!["role"]!));
        // A turn with no reply leaves no empty assistant message: its prompt joins the next user message.
        Assert.Equal([["Remember 42."], ["Noted."], ["Stop.", "Which number?"]],
            messages.Select(m => m!["content"]!.AsArray().Select(b => (string)b!["text"]!).ToArray()));

        var saved = Conversation.Open(workspace);
        saved.Seed([new(9, "never seen", "never said")]);
        Assert.Equal(3, saved.Count);
    }
}

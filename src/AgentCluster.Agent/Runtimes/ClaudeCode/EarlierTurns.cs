using System.Text;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent.Runtimes.ClaudeCode;

/// <summary>
/// The session's earlier turns, quoted before the prompt of a turn that starts a new CLI conversation while the
/// session has had turns (<see cref="RuntimeContext.Conversation"/>: a restart's new machine, the CLI's transcript
/// gone with the old disk). In the prompt, not <c>--append-system-prompt</c>: the prompt is kept in the CLI's
/// transcript, so the turns after it, which <c>--resume</c> it, still see what was said.
/// </summary>
internal static class EarlierTurns
{
    /// <returns>The prompt as it is when there is nothing earlier to tell.</returns>
    public static string Before(string prompt, IReadOnlyList<ConversationTurn> conversation)
    {
        if (conversation.Count == 0) return prompt;
        var text = new StringBuilder()
            .AppendLine("This session's machine was restarted, so your earlier turns with the user are not in your history. Here they are, oldest first:")
            .AppendLine("<earlier_turns>");
        foreach (var turn in conversation)
        {
            text.Append("<turn number=\"").Append(turn.Turn).AppendLine("\">")
                .Append("<user>").Append(turn.Prompt).AppendLine("</user>")
                .Append("<assistant>").Append(turn.Reply ?? "(no reply)").AppendLine("</assistant>")
                .AppendLine("</turn>");
        }
        return text.AppendLine("</earlier_turns>").AppendLine().AppendLine("The user's new message:").Append(prompt).ToString();
    }
}

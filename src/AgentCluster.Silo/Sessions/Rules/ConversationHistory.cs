using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The session's finished turns as a conversation (<see cref="AgentSetup.Conversation"/>), read from its event log for
/// an agent whose runtime has no conversation of its own to continue (a restart's new machine, its disk gone with
/// the old one). Each turn is the user's prompt (its <c>user.message</c>) and the agent's reply, its final text as
/// <see cref="TurnResults"/> takes it for a turn's result. Bounded: the newest <see cref="MaxTurns"/> turns and
/// <see cref="MaxChars"/> characters of text, so that a long session hands over what the model needs most.
/// </summary>
public sealed class ConversationHistory(bool shell)
{
    public const int MaxTurns = 50;

    public const int MaxChars = 64 * 1024;

    private const int ReadPage = 256;

    private readonly TurnResults results = new();
    private readonly Dictionary<int, string> prompts = [];
    private readonly Queue<ConversationTurn> turns = new();

    /// <summary>The session's conversation from its log, oldest turn first.</summary>
    public static async Task<IReadOnlyList<ConversationTurn>> ReadAsync(ISessionEventLog log, string sessionId, bool shell, CancellationToken cancellationToken = default)
    {
        var history = new ConversationHistory(shell);
        for (long seen = 0; ;)
        {
            var page = await log.ReadAsync(sessionId, seen, ReadPage, cancellationToken);
            if (page.Count == 0) return history.Turns();
            foreach (var e in page) history.Observe(e);
            seen = page[^1].Seq;
        }
    }

    public void Observe(SessionEvent e)
    {
        if (e.Type == EventTypes.UserMessage)
        {
            if (ContentOf(e.Payload) is { } content) prompts[e.Turn] = content;
            return;
        }
        results.Observe(e.Type, e.Turn, e.Payload, e.At, shell);
        if (e.Type != EventTypes.TurnCompleted || results.Last?.Turn != e.Turn || !prompts.Remove(e.Turn, out var prompt)) return;
        turns.Enqueue(new ConversationTurn(e.Turn, prompt, results.Last.Text));
        if (turns.Count > MaxTurns) turns.Dequeue();
    }

    /// <summary>The finished turns, oldest first: the newest that fit in <see cref="MaxChars"/> (the newest one cut to fit if it alone does not).</summary>
    public IReadOnlyList<ConversationTurn> Turns()
    {
        var kept = new List<ConversationTurn>();
        var left = MaxChars;
        foreach (var turn in turns.Reverse())
        {
            var size = turn.Prompt.Length + (turn.Reply?.Length ?? 0);
            if (size > left)
            {
                if (kept.Count == 0) kept.Add(Cut(turn, left));
                break;
            }
            kept.Add(turn);
            left -= size;
        }
        kept.Reverse();
        return kept;
    }

    /// <summary>A turn too long on its own: the prompt's beginning and the reply's end, half the room each.</summary>
    private static ConversationTurn Cut(ConversationTurn turn, int room)
    {
        var half = room / 2;
        var prompt = turn.Prompt.Length <= half ? turn.Prompt : turn.Prompt[..half] + "…";
        var reply = turn.Reply is { } text && text.Length > room - prompt.Length ? "…" + text[^Math.Max(0, room - prompt.Length - 1)..] : turn.Reply;
        return turn with { Prompt = prompt, Reply = reply };
    }

    private static string? ContentOf(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

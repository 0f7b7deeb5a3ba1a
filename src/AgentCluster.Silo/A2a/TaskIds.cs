using System.Text.RegularExpressions;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// A task's id is its session's id and turn number, <c>&lt;session id&gt;-t&lt;turn&gt;</c>: the session's log says all
/// there is to say about it, so a task needs no storage of its own. Session ids may contain <c>-t</c> themselves; the
/// turn is always the last part.
/// </summary>
public static partial class TaskIds
{
    public static string Of(string sessionId, int turn) => $"{sessionId}-t{turn}";

    /// <summary>The session and turn of <paramref name="taskId"/>, or null when it is not a task id of this node's making.</summary>
    public static (string SessionId, int Turn)? Parse(string taskId) =>
        Pattern().Match(taskId) is { Success: true } m && int.TryParse(m.Groups[2].ValueSpan, out var turn) && turn > 0
            ? (m.Groups[1].Value, turn)
            : null;

    [GeneratedRegex("^(.+)-t([0-9]{1,9})$")]
    private static partial Regex Pattern();
}

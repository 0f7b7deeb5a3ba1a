using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// A session's wall-clock limit per turn (max_turn_seconds), counted from when the agent takes the turn. Past it
/// the session interrupts the turn (as <c>POST /interrupt</c> does) and the agent's end of it reads
/// <c>timeout</c>; if the agent has not ended it a grace later, the session ends it itself, as it does a stalled
/// turn. Decisions only: the session keeps the times and acts when the reaper asks.
/// </summary>
public static class TurnTimeLimit
{
    public const string Field = "max_turn_seconds";

    /// <summary>A day: a turn running longer is better cut into turns (and the stall and budget limits still apply).</summary>
    public const long MaxSeconds = 24 * 60 * 60;

    /// <summary>The problem with a limit, naming <paramref name="setting"/>; null when it is fine.</summary>
    public static string? Problem(long? seconds, string setting = Field) =>
        seconds is null or (>= 1 and <= MaxSeconds)
            ? null
            : $"{setting} must be a whole number of seconds from 1 to {MaxSeconds} (a day); got {seconds}.";

    /// <summary>A 400 naming max_turn_seconds for a limit out of range.</summary>
    public static void Validate(long? seconds)
    {
        if (Problem(seconds) is { } problem) throw SessionException.Invalid(Field, problem);
    }

    /// <summary>When the running turn's limit next needs looking at (null: it has none).</summary>
    /// <param name="startedAt">When the agent took the turn.</param>
    /// <param name="interruptedAt">When the limit interrupted it, if it has.</param>
    public static DateTimeOffset? CheckAt(long? maxSeconds, DateTimeOffset? startedAt, DateTimeOffset? interruptedAt, TimeSpan grace) =>
        maxSeconds is not { } max || startedAt is not { } started ? null
        : interruptedAt is { } interrupted ? interrupted + grace
        : started + TimeSpan.FromSeconds(max);

    /// <summary>What the limit asks for at <paramref name="now"/>.</summary>
    public static TurnLimitStep Due(long? maxSeconds, DateTimeOffset? startedAt, DateTimeOffset? interruptedAt, TimeSpan grace, DateTimeOffset now) =>
        CheckAt(maxSeconds, startedAt, interruptedAt, grace) is not { } at || now < at ? TurnLimitStep.None
        : interruptedAt is null ? TurnLimitStep.Interrupt
        : TurnLimitStep.End;

    public static string Reason(long maxSeconds) => $"max_turn_seconds: the turn ran for {maxSeconds} s";

    /// <summary>
    /// The agent's end of a turn the limit interrupted: <c>interrupted</c> reads <c>timeout</c>, with the reason;
    /// anything else (it finished just then) is kept as the agent said it. Its usage and cost stay as they are.
    /// </summary>
    public static string Relabel(string payload, long maxSeconds)
    {
        if (JsonNode.Parse(payload) is not JsonObject ending
            || ending["outcome"] is not JsonValue outcome
            || !outcome.TryGetValue<string>(out var said) || said != TurnOutcomes.Interrupted)
            return payload;
        ending["outcome"] = TurnOutcomes.Timeout;
        ending["reason"] = Reason(maxSeconds);
        return ending.ToJsonString();
    }
}

public enum TurnLimitStep
{
    None,

    /// <summary>The turn reached its limit: interrupt it.</summary>
    Interrupt,

    /// <summary>Interrupted a grace ago and still not ended by the agent: the session ends it.</summary>
    End,
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Presets;

namespace AgentCluster.Silo.Sessions.Turns;

/// <summary>
/// What every protocol adapter (OpenAI, A2A, MCP) does with a session: put a turn to it as an owner (a new session's
/// first turn, or the next message of one the owner has) and read that turn's answer from the log. The owner's check is
/// the front door's (<see cref="SessionAccess"/>): another owner's session is missing. Callers act for the owner with
/// <see cref="SessionCaller.ActAs"/> around these calls.
/// </summary>
public sealed class SessionTurns(IGrainFactory grains, PresetResolver presets, SessionLogWatch watch)
{
    /// <summary>Starts a new session (its id made here unless the request names one) with the request's prompt as turn 1.</summary>
    /// <exception cref="SessionException">The id is in use already (Conflict), or the request is invalid.</exception>
    public async Task<OpenedTurn> StartAsync(CreateSessionRequest create, string owner)
    {
        var id = create.SessionId ?? SessionIds.New();
        var grain = grains.Session(SessionIds.Check(id));
        var started = await grain.StartAsync(presets.Resolve(create with { SessionId = id }, owner));
        if (!started.Created) // an id the owner used before: its first turn is long gone, so this request opened none
            throw new SessionException(SessionErrorKind.Conflict, $"Session '{id}' already exists: send it a message instead.", "session_id");
        return new OpenedTurn(id, grain, 1, 0, started.Session.Runtime, started.Session.Preset);
    }

    /// <summary>Sends <paramref name="prompt"/> as the next message of the owner's session <paramref name="id"/>.</summary>
    /// <exception cref="SessionException">Not the owner's (NotFound), or terminated.</exception>
    public async Task<OpenedTurn> ContinueAsync(string id, string owner, string prompt)
    {
        var (grain, view) = await grains.OwnedAsync(id, owner);
        if (view.Status == SessionStatus.Terminated)
            throw new SessionException(SessionErrorKind.Terminated, $"Session '{id}' is terminated ({view.Reason?.Name()}): it takes no more messages.");
        var number = await grain.SendMessageAsync(prompt);
        return new OpenedTurn(id, grain, number, view.LastEventId, view.Runtime, view.Preset);
    }

    /// <summary>The session's events from before the turn on, resuming by itself when the grain moves (<see cref="SessionLogWatch"/>).</summary>
    public IAsyncEnumerable<SessionEvent> Follow(OpenedTurn turn, CancellationToken cancellationToken) =>
        watch.EventsAsync(turn.SessionId, turn.Grain, turn.After, cancellationToken);

    /// <summary>
    /// Reads the turn's events into <paramref name="reader"/> until it ends (or the watch does, or <paramref name="cancellationToken"/>
    /// fires): the answer of a blocking call. The owner must have been checked first (the watch runs in an iterator,
    /// where <see cref="SessionCaller"/> does not reach).
    /// </summary>
    public async Task<TurnReader> ReadAsync(OpenedTurn turn, TurnReader reader, CancellationToken cancellationToken)
    {
        await foreach (var e in Follow(turn, cancellationToken))
        {
            reader.Observe(e);
            if (reader.Ended) break;
        }
        return reader;
    }
}

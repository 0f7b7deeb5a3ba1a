using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Sessions.Turns;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// A2A's task operations on sessions, for an owner (callers act for it with <see cref="SessionCaller.ActAs"/>). A
/// message is a turn: with no context it starts a new session; with a context that is the owner's session, it is that
/// session's next message; with a context the owner has no session of, it starts a new session of that id (so a client
/// that names its own contexts keeps them). A task is read back from its session's log, so a task needs no storage.
/// </summary>
public sealed class A2aTasks(SessionTurns turns, IGrainFactory grains, TimeProvider time)
{
    /// <summary>How long <c>CancelTask</c> waits for the interrupted turn to end before it answers with the task as it is.</summary>
    public static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(30);

    /// <summary>Puts the message to its session as a turn; the feed reads that turn from its start.</summary>
    public async Task<A2aTaskFeed> SendAsync(A2aMessageParams message, string owner, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(message, owner);
        var task = new A2aTaskTranslator(opened.SessionId, opened.Reader(), time.GetUtcNow());
        return new A2aTaskFeed(opened.Grain, turns.Follow(opened, cancellationToken).GetAsyncEnumerator(cancellationToken), task);
    }

    /// <summary>The task read from its session's log up to the request: its state now, the feed left open to follow it.</summary>
    /// <exception cref="A2aException">TaskNotFound: no such task of the owner's.</exception>
    public async Task<A2aTaskFeed> ReadAsync(string taskId, string owner, CancellationToken cancellationToken)
    {
        if (TaskIds.Parse(taskId) is not { } id) throw NotFound(taskId);
        ISessionGrain grain;
        SessionView view;
        try { (grain, view) = await grains.OwnedAsync(id.SessionId, owner); }
        catch (SessionException e) when (e.Kind is SessionErrorKind.NotFound or SessionErrorKind.Invalid) { throw NotFound(taskId); }
        if (id.Turn > view.Turns) throw NotFound(taskId);

        var turn = new OpenedTurn(view.SessionId, grain, id.Turn, 0, view.Runtime, view.Preset);
        var feed = new A2aTaskFeed(grain, turns.Follow(turn, cancellationToken).GetAsyncEnumerator(cancellationToken),
            new A2aTaskTranslator(view.SessionId, turn.Reader(), view.CreatedAt));
        try { await feed.CatchUpAsync(view.LastEventId); }
        catch
        {
            await feed.DisposeAsync();
            throw;
        }
        return feed;
    }

    /// <summary>
    /// Interrupts the task's turn (<see cref="ISessionGrain.InterruptAsync"/>) and answers with the task once the turn
    /// has ended (canceled), or as it is after <see cref="CancelWait"/>. Only the session's current turn can be
    /// interrupted: a task queued behind another is refused, since interrupting would stop the other one.
    /// </summary>
    /// <exception cref="A2aException">TaskNotFound; TaskNotCancelable: it has ended, or waits behind an earlier task.</exception>
    public async Task<A2aTask> CancelAsync(string taskId, string owner, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(CancelWait, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        await using var feed = await ReadAsync(taskId, owner, waiting.Token);
        if (feed.Task.Ended) throw NotCancelable($"Task '{taskId}' has ended ({feed.Task.Status.State}): there is nothing to cancel.");
        if (!feed.Current)
            throw NotCancelable($"Task '{taskId}' waits behind an earlier task of its context: cancel that one first.");
        try { await feed.Grain.InterruptAsync(); }
        catch (SessionException e) when (e.Kind == SessionErrorKind.Conflict)
        {
            throw NotCancelable($"Task '{taskId}' ended as it was being canceled.");
        }
        try { await feed.FinishAsync(); }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested) { } // answered as it is: still working
        return feed.Task.Snapshot();
    }

    private async Task<OpenedTurn> OpenAsync(A2aMessageParams message, string owner)
    {
        if (message.ContextId is not { } context) return await turns.StartAsync(NewSession(message, null), owner);
        try { SessionIds.Check(context); }
        catch (SessionException e) { throw new A2aException(JsonRpcError.Invalid("params.message.contextId", e.Message.Replace("session_id", "contextId"))); }
        try
        {
            return await turns.ContinueAsync(context, owner, message.Prompt);
        }
        catch (SessionException e) when (e.Kind == SessionErrorKind.NotFound)
        {
            try { return await turns.StartAsync(NewSession(message, context), owner); }
            catch (SessionException taken) when (taken.Kind == SessionErrorKind.Conflict)
            {
                throw new A2aException(JsonRpcError.Invalid("params.message.contextId",
                    $"contextId '{context}' is in use: leave it out, or name another, to start a new context."));
            }
        }
        catch (SessionException e) when (e.Kind == SessionErrorKind.Terminated)
        {
            throw new A2aException(JsonRpcError.Invalid("params.message.contextId", $"{e.Message} Leave contextId out to start a new context."));
        }
    }

    private static CreateSessionRequest NewSession(A2aMessageParams message, string? id) =>
        new() { SessionId = id, Prompt = message.Prompt, Preset = message.Preset, Runtime = message.Runtime };

    private static A2aException NotFound(string taskId) => new(new JsonRpcError(JsonRpcError.TaskNotFound, $"There is no task '{taskId}'."));

    private static A2aException NotCancelable(string message) => new(new JsonRpcError(JsonRpcError.TaskNotCancelable, message));
}

using System.ComponentModel;
using System.Security.Claims;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Sessions.Turns;
using ModelContextProtocol.Server;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// A session's life as MCP tools: start it, send it messages, wait for a turn's answer, look at it, list, interrupt and
/// delete. Each is one call of the session layer for the caller's owner (<see cref="McpCalls"/> acts for it); another
/// owner's session is a missing one. Parameter names are the tools' wire names (snake_case, as the REST API's fields).
/// </summary>
[McpServerToolType]
public sealed class SessionTools(SessionTurns turns, TurnWaiter waiter, IGrainFactory grains, ISessionCatalog catalog)
{
    [McpServerTool(Name = "start_session", UseStructuredContent = true, OpenWorld = false)]
    [Description("Start a new agent session on its own machine, with the prompt as its turn 1. Answers the session id and the turn " +
        "number at once; the agent works on meanwhile: call wait_for_turn for its answer.")]
    public async Task<SendMessageResponse> StartSession(
        ClaimsPrincipal caller,
        [Description("The task for the agent: its first message.")] string prompt,
        [Description("A preset to start from (its runtime, model, tools and limits); see the node's GET /presets.")] string? preset = null,
        [Description("The agent runtime when no preset names one: e.g. claude-code, anthropic, shell.")] string? runtime = null,
        [Description("'session' (the default: it waits for more messages) or 'task' (one-shot: it ends once its turns are done).")] string? mode = null)
    {
        if (string.IsNullOrWhiteSpace(prompt)) throw SessionException.Invalid("prompt", "prompt is required: the agent's first message.");
        var opened = await turns.StartAsync(new CreateSessionRequest { Prompt = prompt, Preset = preset, Runtime = runtime, Mode = mode }, McpCalls.Owner(caller));
        return new SendMessageResponse(opened.SessionId, opened.Number);
    }

    [McpServerTool(Name = "send_message", UseStructuredContent = true, OpenWorld = false)]
    [Description("Send the next message to a session: it becomes the session's next turn (turns run in order; a sleeping session " +
        "wakes). Answers the turn number; call wait_for_turn for its answer.")]
    public async Task<SendMessageResponse> SendMessage(
        ClaimsPrincipal caller,
        [Description("The session's id, as start_session answered it.")] string session_id,
        [Description("The message for the agent.")] string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw SessionException.Invalid("text", "text is required: the message for the agent.");
        var opened = await turns.ContinueAsync(session_id, McpCalls.Owner(caller), text);
        return new SendMessageResponse(opened.SessionId, opened.Number);
    }

    [McpServerTool(Name = "wait_for_turn", UseStructuredContent = true, ReadOnly = true, OpenWorld = false)]
    [Description("Wait until a turn of a session has finished (or timeout_s passed) and answer its outcome (success, error, " +
        "interrupted, max_turns, failed, timeout) and its result text. finished: false when it is still running: call it again.")]
    public Task<TurnAnswer> WaitForTurn(
        ClaimsPrincipal caller,
        [Description("The session's id.")] string session_id,
        [Description("The turn's number (start_session's or send_message's answer); default: the session's latest turn.")] int? turn = null,
        [Description("How long to wait at most, in seconds (0-600, default 60); 0 answers at once.")] int? timeout_s = null,
        CancellationToken cancellationToken = default)
    {
        if (timeout_s is < 0 or > TurnWaiter.MaxWaitSeconds)
            throw SessionException.Invalid("timeout_s", $"timeout_s must be between 0 and {TurnWaiter.MaxWaitSeconds}.");
        return waiter.WaitAsync(session_id, McpCalls.Owner(caller), turn, TimeSpan.FromSeconds(timeout_s ?? TurnWaiter.DefaultWaitSeconds), cancellationToken);
    }

    [McpServerTool(Name = "get_session", UseStructuredContent = true, ReadOnly = true, OpenWorld = false)]
    [Description("A session as it is now: status (starting, running, idle, sleeping, terminated), turns, its last finished " +
        "turn's result, machine, cost and usage.")]
    public async Task<SessionView> GetSession(ClaimsPrincipal caller, [Description("The session's id.")] string session_id) =>
        (await grains.OwnedAsync(session_id, McpCalls.Owner(caller))).View;

    [McpServerTool(Name = "list_sessions", UseStructuredContent = true, ReadOnly = true, OpenWorld = false)]
    [Description("The caller's sessions, newest first, a page at a time; pass next_cursor as cursor for the next page.")]
    public async Task<SessionList> ListSessions(
        ClaimsPrincipal caller,
        [Description("next_cursor of the page before; none for the newest sessions.")] string? cursor = null,
        [Description("How many sessions a page holds (1-100, default 20).")] int? limit = null)
    {
        if (limit is < 1 or > 100) throw SessionException.Invalid("limit", "limit must be between 1 and 100.");
        return await SessionPages.ListAsync(catalog, grains, McpCalls.Owner(caller), cursor, limit ?? 20);
    }

    [McpServerTool(Name = "interrupt", UseStructuredContent = true, OpenWorld = false)]
    [Description("Stop the session's running turn (it ends with outcome interrupted); later turns still run and the session " +
        "stays usable. An error when no turn is open.")]
    public async Task<InterruptResponse> Interrupt(ClaimsPrincipal caller, [Description("The session's id.")] string session_id)
    {
        var (session, _) = await grains.OwnedAsync(session_id, McpCalls.Owner(caller));
        return new InterruptResponse(session_id, await session.InterruptAsync());
    }

    [McpServerTool(Name = "delete_session", UseStructuredContent = true, Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("End a session for good: its machine and workspace are destroyed, its status becomes terminated (reason deleted).")]
    public async Task<SessionView> DeleteSession(ClaimsPrincipal caller, [Description("The session's id.")] string session_id) =>
        await (await grains.OwnedAsync(session_id, McpCalls.Owner(caller))).Grain.DeleteAsync();
}

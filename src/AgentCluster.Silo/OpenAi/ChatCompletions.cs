using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Presets;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Sessions.Turns;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.OpenAi;

/// <summary>
/// <c>POST /v1/chat/completions</c> as a turn of a session: the last user message is the turn's prompt. A session named
/// by <c>X-Session-ID</c> (else <c>metadata.session_id</c>, else <c>user</c>) gets it as its next message, acting for the
/// API key's owner; otherwise <c>model</c> (a preset, or a runtime) starts a new one-shot task session, which ends by
/// itself after the answer. The answer is read from the session's event log (<see cref="ChatTurnTranslator"/>).
/// </summary>
public sealed class ChatCompletions(
    SessionTurns turns, SessionLogWatch watch, SseResponse sse, PresetCatalog catalog, IOptions<AgentSessionOptions> sessions, TimeProvider time)
{
    public const string SessionHeader = "X-Session-ID";

    /// <summary>Every model a request can name: the presets, then the runtimes.</summary>
    public ModelList Models() => new([
        .. catalog.Ids.Select(id => new ModelEntry(id, "agentcluster-preset")),
        .. sessions.Value.Runtimes.Select(r => new ModelEntry(r, "agentcluster-runtime")),
    ]);

    public async Task<Results<JsonHttpResult<ChatCompletion>, SseResult<string>, JsonHttpResult<OpenAiError>>> AnswerAsync(
        HttpContext http, CancellationToken aborted)
    {
        ChatCompletionRequest? request;
        try { request = await JsonSerializer.DeserializeAsync<ChatCompletionRequest>(http.Request.Body, ProtocolJson.Options, aborted); }
        catch (JsonException e) { return OpenAiError.Invalid(e.Path ?? "body", $"The JSON body is invalid: {e.Message}"); }
        if (request is null) return OpenAiError.Invalid("body", "A JSON body is required: {\"model\": \"...\", \"messages\": [...]}.");
        if (Prompt(request.Messages) is not { } prompt)
            return OpenAiError.Invalid("messages", "messages must end with a user message whose content is text (a string, or text parts).");

        var owner = http.User.Owner();
        using var actingFor = SessionCaller.ActAs(owner);
        OpenedTurn opened;
        if (SessionIdOf(http.Request, request) is { } named)
        {
            string id;
            try { id = SessionIds.Check(named.Id); }
            catch (SessionException e) { return OpenAiError.Invalid(named.Source, e.Message); }
            opened = await turns.ContinueAsync(id, owner, prompt);
        }
        else if (request.Model is not { Length: > 0 } model)
            return OpenAiError.Invalid("model", "model is required to start a session: a preset or a runtime (GET /v1/models).");
        else if (NewSession(model, prompt) is not { } create)
            return OpenAiError.Result(StatusCodes.Status404NotFound, OpenAiError.Of(
                $"There is no model '{model}': a model is a preset ({string.Join(", ", catalog.Ids)}) or a runtime ({string.Join(", ", sessions.Value.Runtimes)}).",
                OpenAiError.InvalidRequest, "model_not_found", "model"));
        else
            opened = await turns.StartAsync(create, owner);

        http.Response.Headers[SessionHeader] = opened.SessionId;
        var translator = new ChatTurnTranslator($"chatcmpl-{opened.SessionId}-{opened.Number}", time.GetUtcNow().ToUnixTimeSeconds(),
            request.Model ?? opened.Preset ?? opened.Runtime ?? "agentcluster", opened.Reader(), request.StreamOptions?.IncludeUsage == true);
        if (request.Stream == true)
            return new SseResult<string>(sse, ct => Frames(opened, translator, ct), SseResponse.WriteText, new SseItem<string>(Json(Draining)));

        await foreach (var e in watch.EventsAsync(opened.SessionId, opened.Grain, opened.After, aborted))
        {
            translator.Observe(e);
            if (translator.Ended) break;
        }
        // 424, not a 5xx: OpenAI's SDKs retry a 5xx (twice, by default), and each retry would be one more turn of the
        // session, the agent's work done again. The turn happened; the request's dependency on it failed.
        return translator.Failure is not null || !translator.Ended
            ? OpenAiError.Result(StatusCodes.Status424FailedDependency, translator.Failure ?? Unfinished(opened.Number))
            : TypedResults.Json(translator.Completion(), ProtocolJson.Options);
    }

    /// <summary>A preset's id, else a runtime's name, as a one-shot task; null when it is neither.</summary>
    private CreateSessionRequest? NewSession(string model, string prompt)
    {
        var task = new CreateSessionRequest { Prompt = prompt, Mode = SessionModes.Task };
        if (catalog.Find(model) is not null) return task with { Preset = model };
        return sessions.Value.Runtimes.Contains(model, StringComparer.Ordinal) ? task with { Runtime = model } : null;
    }

    /// <summary>
    /// The answer as OpenAI's SSE: chunks as the translator makes them, then <c>[DONE]</c>. A failure once the stream is
    /// under way comes as OpenAI's in-stream error (<c>data: {"error": …}</c>), without <c>[DONE]</c>. The watch resumes
    /// by itself when the session's grain moves; keep-alive comments (which OpenAI clients skip) fill a quiet turn.
    /// </summary>
    private async IAsyncEnumerable<SseItem<string>> Frames(OpenedTurn opened, ChatTurnTranslator translator, [EnumeratorCancellation] CancellationToken aborted)
    {
        // The owner was checked before the stream began; the watch reads the log as the front door's event stream does.
        await using var events = watch.EventsAsync(opened.SessionId, opened.Grain, opened.After, aborted).GetAsyncEnumerator(aborted);
        while (!translator.Ended)
        {
            bool moved;
            OpenAiError? broken = null;
            try { moved = await events.MoveNextAsync(); }
            catch (Exception e) when (!aborted.IsCancellationRequested && OpenAiError.For(e) is { } failure)
            {
                (moved, broken) = (false, failure.Error);
            }
            if (broken is not null)
            {
                yield return Frame(broken);
                yield break;
            }
            if (!moved) break;
            foreach (var chunk in translator.Observe(events.Current)) yield return Frame(chunk);
        }
        if (translator.Failure is not null || !translator.Ended)
        {
            yield return Frame(translator.Failure ?? Unfinished(opened.Number));
            yield break;
        }
        yield return new SseItem<string>("[DONE]");
    }

    /// <summary>The last frame of a stream cut short by this node's shutdown: the turn goes on, the answer here does not.</summary>
    private static readonly OpenAiError Draining =
        OpenAiError.Of("This node is shutting down; the turn goes on in its session (X-Session-ID): read its events or ask again.", OpenAiError.ServerError, "node_draining");

    private static SseItem<string> Frame<T>(T value) => new(Json(value));

    private static OpenAiError Unfinished(int turn) =>
        OpenAiError.Of($"The session's event stream ended before turn {turn} did.", OpenAiError.ServerError, "turn_unfinished");

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ProtocolJson.Options);

    /// <summary>The session to continue and which part of the request named it (for a 400 on a malformed id).</summary>
    private static (string Id, string Source)? SessionIdOf(HttpRequest http, ChatCompletionRequest request) =>
        http.Headers[SessionHeader].ToString() is { Length: > 0 } header ? (header, SessionHeader)
        : request.Metadata?.GetValueOrDefault("session_id") is { Length: > 0 } meta ? (meta, "metadata.session_id")
        : request.User is { Length: > 0 } user ? (user, "user")
        : null;

    /// <summary>The last message's text when it is the user's: a string, or its text parts joined.</summary>
    private static string? Prompt(List<ChatMessage>? messages)
    {
        if (messages is not { Count: > 0 } || messages[^1] is not { Role: "user" } last) return null;
        var content = last.Content;
        if (content.ValueKind == JsonValueKind.String) return content.GetString() is { Length: > 0 } text ? text : null;
        if (content.ValueKind != JsonValueKind.Array) return null;
        var joined = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text" ||
                !part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String) return null;
            joined.Append(text.GetString());
        }
        return joined.Length > 0 ? joined.ToString() : null;
    }
}

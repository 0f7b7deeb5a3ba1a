using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentCluster.Silo.A2a;

/// <summary>
/// <c>POST /a2a</c>: A2A's JSON-RPC binding onto sessions (<see cref="A2aTasks"/>). The caller's API key is checked here,
/// not by the authorization middleware, so that a refusal is a JSON-RPC error too (with HTTP 401). Every answer is a
/// JSON-RPC response (HTTP 200) in the version of the method's name (<see cref="A2aMethods"/>); a streaming method
/// answers with Server-Sent Events, each a JSON-RPC response whose result is a task, a status update or an artifact
/// update, until the task's final status. Failures the node calls bugs go on to its exception handler, which logs them.
/// </summary>
public sealed class A2aEndpoint(A2aTasks tasks, SseResponse sse)
{
    public async Task<IResult> AnswerAsync(HttpContext http, CancellationToken aborted)
    {
        var auth = await http.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        if (!auth.Succeeded)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Answer(null, Error(new JsonRpcError(JsonRpcError.Unauthenticated,
                auth.Failure?.Message ?? "This agent needs an API key: 'Authorization: Bearer <API key>'.")), StatusCodes.Status401Unauthorized);
        }
        var owner = auth.Principal.Owner();

        JsonRpcRequest request;
        try { request = await JsonRpcRequest.ReadAsync(http.Request.Body, aborted); }
        catch (JsonRpcRequestException e) { return Answer(e.Id, Error(e.Error)); }
        try
        {
            using var actingFor = SessionCaller.ActAs(owner);
            return await DispatchAsync(request, owner, aborted);
        }
        catch (Exception e) when (!http.Response.HasStarted && JsonRpcError.For(e) is { } error)
        {
            return Answer(request.Id, Error(error));
        }
    }

    private async Task<IResult> DispatchAsync(JsonRpcRequest request, string owner, CancellationToken aborted)
    {
        var (operation, version) = A2aMethods.Find(request.Method);
        var wire = new A2aWire(version);
        if (request.Params.ValueKind != JsonValueKind.Object)
            throw new A2aException(JsonRpcError.Invalid("params", $"{request.Method} takes its params as an object."));
        switch (operation)
        {
            case A2aOperation.Send:
            {
                var message = A2aMessageParams.Read(request.Params);
                await using var feed = await tasks.SendAsync(message, owner, aborted);
                if (!message.ReturnImmediately) await feed.FinishAsync();
                return Answer(request.Id, Result(wire.SendResult(feed.Task.Snapshot())));
            }
            case A2aOperation.Stream:
                return Stream(request.Id, wire, await tasks.SendAsync(A2aMessageParams.Read(request.Params), owner, aborted), aborted);
            case A2aOperation.Get:
            {
                await using var feed = await tasks.ReadAsync(TaskId(request.Params), owner, aborted);
                return Answer(request.Id, Result(wire.Task(feed.Task.Snapshot())));
            }
            case A2aOperation.Cancel:
                return Answer(request.Id, Result(wire.Task(await tasks.CancelAsync(TaskId(request.Params), owner, aborted))));
            default:
            {
                var feed = await tasks.ReadAsync(TaskId(request.Params), owner, aborted);
                if (!feed.Task.Ended) return Stream(request.Id, wire, feed, aborted);
                await feed.DisposeAsync();
                throw new A2aException(new JsonRpcError(JsonRpcError.UnsupportedOperation,
                    $"Task '{feed.Task.TaskId}' has ended ({feed.Task.Status.State}): there is nothing to subscribe to; GetTask reads it."));
            }
        }
    }

    /// <summary>
    /// The task's events as SSE (<see cref="SseResponse"/>: keep-alives through a quiet turn); a failure once the stream
    /// is under way comes as a JSON-RPC error frame, the last, and so does this node's shutdown (the task goes on:
    /// SubscribeToTask through another node follows it).
    /// </summary>
    private SseResult<string> Stream(JsonNode? id, A2aWire wire, A2aTaskFeed feed, CancellationToken aborted) =>
        new(sse, ct => Frames(id, wire, feed, ct).Select(frame => new SseItem<string>(frame)), SseResponse.WriteText,
            new SseItem<string>(Response(id, Error(new JsonRpcError(JsonRpcError.InternalError,
                $"This node is shutting down; task '{feed.Task.TaskId}' goes on: SubscribeToTask (tasks/resubscribe) follows it.")))));

    private static async IAsyncEnumerable<string> Frames(JsonNode? id, A2aWire wire, A2aTaskFeed feed, [EnumeratorCancellation] CancellationToken aborted)
    {
        // The owner was checked before the stream began; the watch reads the log as the front door's event stream does.
        await using var owned = feed;
        await using var events = feed.FollowAsync(aborted).GetAsyncEnumerator(aborted);
        while (true)
        {
            JsonRpcError? broken = null;
            bool moved;
            try { moved = await events.MoveNextAsync(); }
            catch (Exception e) when (!aborted.IsCancellationRequested && JsonRpcError.For(e) is { } error) { (moved, broken) = (false, error); }
            if (broken is not null)
            {
                yield return Response(id, Error(broken));
                yield break;
            }
            if (!moved) yield break;
            yield return Response(id, Result(wire.StreamResult(events.Current)));
        }
    }

    private static (string, JsonNode) Result(JsonNode result) => ("result", result);

    private static (string, JsonNode) Error(JsonRpcError error) => ("error", error.ToJson());

    private static IResult Answer(JsonNode? id, (string Name, JsonNode Value) outcome, int status = StatusCodes.Status200OK) =>
        TypedResults.Text(Response(id, outcome), "application/json", statusCode: status);

    private static string Response(JsonNode? id, (string Name, JsonNode Value) outcome) =>
        new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id?.DeepClone(), [outcome.Name] = outcome.Value }.ToJsonString(A2aWire.Json);

    /// <summary><c>params.id</c>, the task's id, in both versions.</summary>
    private static string TaskId(JsonElement @params) =>
        @params.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } taskId
            ? taskId
            : throw new A2aException(JsonRpcError.Invalid("params.id", "params.id must be the task's id."));
}

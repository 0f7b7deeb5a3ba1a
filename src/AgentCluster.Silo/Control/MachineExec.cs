using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Control;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgentCluster.Silo.Control;

/// <summary>
/// Runs a client's command in a session's machine: through its agent (streamed if asked), or through Fly's own exec when
/// the agent does not answer (a wedged machine can still be looked into) or when the caller asks for it (<c>via=fly</c>).
/// Each run is logged in the session as <c>session.exec {command, exit_code, via}</c>, never with its env or output.
/// </summary>
public sealed partial class MachineExec(MachineDoor door, AgentControlClient agent, IMachines machines, ILogger<MachineExec> logger)
{
    public const string ViaAgent = "agent";
    public const string ViaFly = "fly";

    /// <summary>How much longer than the command's own timeout the node waits for the agent's answer.</summary>
    private static readonly TimeSpan AnswerSlack = TimeSpan.FromSeconds(30);

    public async Task<IResult> RunAsync(string sessionId, string owner, ExecRequest request, string? via, bool stream, CancellationToken cancellationToken)
    {
        if (via is not (null or ViaAgent or ViaFly)) throw SessionException.Invalid("via", "via must be 'agent' or 'fly' (default: the agent, else Fly).");
        var (session, access) = await door.OpenAsync(sessionId, owner, request.Timeout + AnswerSlack, cancellationToken);
        if (access.MachineId is null || (via == ViaAgent && !access.Ready)) throw door.NotReady(sessionId, access);
        var command = request.Command!.Display();

        if (via != ViaFly && access.Ready)
        {
            try
            {
                return await ThroughAgentAsync(session, access, request, command, stream, cancellationToken);
            }
            catch (AgentUnreachableException e) when (via is null)
            {
                LogFallingBack(e, sessionId, access.MachineId);
            }
            catch (AgentUnreachableException e)
            {
                throw e.AsSessionProblem();
            }
        }

        var result = await machines.ExecAsync(access.App!, access.MachineId, request, cancellationToken);
        await session.RecordExecAsync(command, result.ExitCode, ViaFly);
        return stream ? TypedResults.ServerSentEvents(Frames(result)) : TypedResults.Ok(result);
    }

    /// <summary>
    /// The command's result for a caller that is not an HTTP request (the MCP server's <c>exec</c> tool): the same run as
    /// <c>POST /sessions/{id}/exec</c> unstreamed, the agent's refusal (a cwd that leads out, say) as its <see cref="SessionException"/>.
    /// </summary>
    public async Task<ExecResult> RunAsync(string sessionId, string owner, ExecRequest request, CancellationToken cancellationToken) =>
        await RunAsync(sessionId, owner, request, via: null, stream: false, cancellationToken) switch
        {
            Ok<ExecResult> { Value: { } result } => result,
            AgentAnswer refused => throw await refused.RefusalAsync(cancellationToken),
            var other => throw new InvalidOperationException($"An unstreamed exec answered {other.GetType().Name}."),
        };

    private async Task<IResult> ThroughAgentAsync(ISessionGrain session, MachineAccess access, ExecRequest request, string command, bool stream, CancellationToken cancellationToken)
    {
        // The agent answers with its headers once the command started, and with the result once it ended.
        var response = await agent.SendAsync(access, () => new HttpRequestMessage(HttpMethod.Post, ControlProtocol.ExecPath)
        {
            Content = JsonContent.Create(request, options: ProtocolJson.Options),
            Headers = { { "Accept", stream ? "text/event-stream" : "application/json" } },
        }, cancellationToken);
        using var answerTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        answerTimeout.CancelAfter(request.Timeout + AnswerSlack);
        if (!response.IsSuccessStatusCode) return new AgentAnswer(response); // the agent's ProblemDetails (a cwd that leads out, say)
        if (stream) return TypedResults.ServerSentEvents(RelayAsync(session, response, command, cancellationToken));
        ExecResult? result;
        using (response)
        {
            // Not Fly's exec after this: the command has started once already.
            try
            {
                result = await response.Content.ReadFromJsonAsync<ExecResult>(ProtocolJson.Options, answerTimeout.Token);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or JsonException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                result = null;
            }
        }
        await session.RecordExecAsync(command, result?.ExitCode, ViaAgent);
        return result is not null ? TypedResults.Ok(result with { Via = ViaAgent })
            : throw new SessionException(SessionErrorKind.MachineUnreachable, $"The agent started the command but gave no result within {(request.Timeout + AnswerSlack).TotalSeconds:0} s.");
    }

    /// <summary>The agent's frames as they come; the exit frame is logged once the client has it.</summary>
    private static async IAsyncEnumerable<SseItem<string>> RelayAsync(ISessionGrain session, HttpResponseMessage response, string command,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int? exitCode = null;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var frame in SseParser.Create(body).EnumerateAsync(cancellationToken))
            {
                if (frame.EventType == ControlProtocol.ExecExitEventType)
                    exitCode = JsonSerializer.Deserialize<ExecExitEvent>(frame.Data, ProtocolJson.Options)?.ExitCode;
                yield return frame;
            }
        }
        finally
        {
            response.Dispose();
            // A client gone mid-command still leaves its trace: the command ran (the agent killed it with the request).
            await session.RecordExecAsync(command, exitCode, ViaAgent);
        }
    }

    /// <summary>Fly's answer as the frames a streamed exec would have had: all its output at once, then its exit.</summary>
    private static IAsyncEnumerable<SseItem<string>> Frames(ExecResult result) => new[]
    {
        result.Stdout.Length > 0 ? Frame(ControlProtocol.ExecOutputEventType, new ExecOutputEvent("stdout", result.Stdout)) : (SseItem<string>?)null,
        result.Stderr.Length > 0 ? Frame(ControlProtocol.ExecOutputEventType, new ExecOutputEvent("stderr", result.Stderr)) : null,
        Frame(ControlProtocol.ExecExitEventType, new ExecExitEvent(result.ExitCode, result.TimedOut, result.Truncated, result.DurationMs, result.Via)),
    }.OfType<SseItem<string>>().ToAsyncEnumerable();

    private static SseItem<string> Frame<T>(string type, T payload) => new(JsonSerializer.Serialize(payload, ProtocolJson.Options), type);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "Session {SessionId}: the agent on machine {MachineId} did not answer an exec; running it through Fly's exec")]
    private partial void LogFallingBack(Exception exception, string sessionId, string machineId);
}

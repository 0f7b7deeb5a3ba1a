using AgentCluster.Silo.Auth;

namespace AgentCluster.Silo.Control;

/// <summary>
/// A front-door call relayed to the agent's control server on the caller's session's machine, and the agent's answer
/// relayed back (<see cref="AgentAnswer"/>), streamed both ways.
/// </summary>
public sealed class MachineRelay(MachineDoor door, AgentControlClient agent)
{
    /// <summary>What a client may send that the agent's answer depends on: ranges and validators.</summary>
    private static readonly string[] RelayedRequestHeaders = ["Range", "If-Range", "If-None-Match", "If-Match", "If-Modified-Since", "If-Unmodified-Since"];

    /// <summary>How long a call keeps the machine from sleeping: a transfer of FrontDoor:MaxFileBytes at a modest rate.</summary>
    private static readonly TimeSpan TransferHold = TimeSpan.FromMinutes(5);

    /// <param name="withBody">The request's body goes to the agent (an upload): answered once it is all written.</param>
    public async Task<IResult> SendAsync(HttpContext http, string sessionId, HttpMethod method, string agentPath, bool withBody = false) =>
        new AgentAnswer(await SendAsync(sessionId, http.User.Owner(), () => AgentRequest(http, method, agentPath, withBody), http.RequestAborted, prompt: !withBody));

    /// <summary>
    /// The agent's answer (headers read, body to come) to what <paramref name="request"/> makes, for <paramref name="owner"/>'s
    /// session: also the way in for a caller that is not an HTTP request (the MCP server's <c>read_file</c> tool).
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(string sessionId, string owner, Func<HttpRequestMessage> request, CancellationToken cancellationToken, bool prompt = true)
    {
        var access = await door.OpenReadyAsync(sessionId, owner, TransferHold, cancellationToken);
        try
        {
            return await agent.SendAsync(access, request, cancellationToken, prompt);
        }
        catch (AgentUnreachableException e) when (e.TooLarge() is { } tooLarge)
        {
            throw tooLarge; // the client's body was over the limit: 413, not the agent's fault
        }
        catch (AgentUnreachableException e)
        {
            throw e.AsSessionProblem();
        }
    }

    private static HttpRequestMessage AgentRequest(HttpContext http, HttpMethod method, string agentPath, bool withBody)
    {
        var message = new HttpRequestMessage(method, agentPath);
        foreach (var name in RelayedRequestHeaders)
            if (http.Request.Headers.TryGetValue(name, out var values)) message.Headers.TryAddWithoutValidation(name, values.ToArray());
        if (withBody)
        {
            message.Content = new StreamContent(http.Request.Body);
            message.Content.Headers.ContentLength = http.Request.ContentLength;
            if (http.Request.ContentType is { } type) message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        return message;
    }
}

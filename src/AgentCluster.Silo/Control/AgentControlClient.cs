using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Control;

/// <summary>
/// Calls a session's agent on its machine's private address (<see cref="AgentCluster.Abstractions.Control.ControlProtocol"/>),
/// with the control key as bearer. An agent that has just set up may not listen yet (its control server starts beside its
/// first turn): a refused connection is tried again for a few seconds before it counts as an agent that does not answer.
/// </summary>
public sealed class AgentControlClient(IHttpClientFactory clients, TimeProvider time)
{
    public const string HttpClientName = "agent-control";

    /// <summary>How long to wait for the agent's control server to accept a connection.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RefusedRetryWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefusedRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How soon an agent answers a call whose answer starts at once (a read, a delete, an exec: the agent sends its
    /// headers when the command has started). One that accepts the connection and then says nothing is wedged (a
    /// frozen process still has its socket accepted by the kernel).
    /// </summary>
    public static readonly TimeSpan PromptAnswer = TimeSpan.FromSeconds(5);

    /// <summary>Sends what <paramref name="request"/> makes (called again for each attempt), answering as soon as the headers came.</summary>
    /// <param name="prompt">The agent's answer starts at once (<see cref="PromptAnswer"/>); false for an upload, answered once it is all written.</param>
    /// <exception cref="AgentUnreachableException">The agent did not accept the connection, did not answer in time, or the connection broke before an answer.</exception>
    public async Task<HttpResponseMessage> SendAsync(MachineAccess access, Func<HttpRequestMessage> request, CancellationToken cancellationToken, bool prompt = true)
    {
        using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (prompt) headers.CancelAfter(PromptAnswer);
        var client = clients.CreateClient(HttpClientName);
        var until = time.GetUtcNow() + RefusedRetryWindow;
        try
        {
            while (true)
            {
                using var message = request();
                message.RequestUri = new Uri(BaseUrl(access), message.RequestUri!);
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access.ControlKey);
                try
                {
                    return await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, headers.Token);
                }
                catch (HttpRequestException e) when (Refused(e) && time.GetUtcNow() < until)
                {
                    await Task.Delay(RefusedRetryDelay, time, headers.Token);
                }
            }
        }
        catch (HttpRequestException e)
        {
            throw new AgentUnreachableException($"The agent on machine {access.MachineId} did not answer at {access.Address}:{access.Port} ({e.HttpRequestError}).", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AgentUnreachableException($"The agent on machine {access.MachineId} did not answer at {access.Address}:{access.Port} in time.", e);
        }
    }

    /// <summary>Nothing listens yet: nothing of the request was sent, so it can be sent again (a request body too).</summary>
    private static bool Refused(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.ConnectionError && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };

    public static Uri BaseUrl(MachineAccess access)
    {
        var host = IPAddress.TryParse(access.Address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : access.Address;
        return new Uri($"http://{host}:{access.Port}/");
    }
}

/// <summary>The agent did not answer: its machine is wedged, or its agent is gone.</summary>
public sealed class AgentUnreachableException(string message, Exception inner) : Exception(message, inner)
{
    public SessionException AsSessionProblem() => new(SessionErrorKind.MachineUnreachable, Message, retryAfter: TimeSpan.FromSeconds(5));

    /// <summary>The relayed request body broke off because the client's body was over its limit (Kestrel's 413), if that is why.</summary>
    public BadHttpRequestException? TooLarge()
    {
        for (var e = InnerException; e is not null; e = e.InnerException)
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge) return tooLarge;
        return null;
    }
}

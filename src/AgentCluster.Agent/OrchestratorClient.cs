using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Telemetry;

namespace AgentCluster.Agent;

/// <summary>
/// The agent protocol over HTTP, against whichever orchestrator node answers. Nodes come and go (deploys,
/// crashes), so a call that gets no answer is retried on the next base URL after a backoff, for as long as
/// the <see cref="OrphanWatch"/> lets the agent live.
/// </summary>
internal sealed class OrchestratorClient(
    AgentConfig config, string instance, HttpClient http, OrphanWatch orphans, TimeProvider time, AgentLog log, Random random)
    : IOrchestrator
{
    /// <summary>For pushes and heartbeats, which a healthy node answers at once.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly AuthenticationHeaderValue authorization = new("Bearer", config.Token);
    private readonly Freezes freezes = orphans.Freezes;
    private int current;

    public Task<AgentAck> PushAsync(IReadOnlyList<AgentEvent> events, CancellationToken cancellationToken) =>
        CallAsync("push", CallTimeout, cancellationToken,
            url => Post(url, AgentProtocol.EventsPath(config.SessionId), new AgentEventBatch(instance, events), AgentJson.Default.AgentEventBatch),
            ReadAckAsync);

    public Task<AgentAck> HeartbeatAsync(CancellationToken cancellationToken) =>
        CallAsync("heartbeat", CallTimeout, cancellationToken,
            url => Post(url, AgentProtocol.HeartbeatPath(config.SessionId), new AgentHello(instance), AgentJson.Default.AgentHello),
            ReadAckAsync);

    public Task<AgentTurn?> NextTurnAsync(int after, CancellationToken cancellationToken) =>
        PollAsync("poll", AgentProtocol.NextTurnPath(config.SessionId), $"after={after}", AgentJson.Default.AgentTurn, cancellationToken,
            () => StartupTimeline.Mark(StartupTimeline.FirstPollSent));

    public Task<AgentInterrupt?> WatchInterruptAsync(int turn, CancellationToken cancellationToken) =>
        PollAsync("interrupt watch", AgentProtocol.InterruptPath(config.SessionId, turn), null, AgentJson.Default.AgentInterrupt, cancellationToken);

    public Task<AgentSetup> SetupAsync(CancellationToken cancellationToken) =>
        CallAsync("setup", CallTimeout, cancellationToken,
            url => new HttpRequestMessage(HttpMethod.Get, new Uri(url, AgentProtocol.SetupPath(config.SessionId))),
            async (response, ct) => await ReadAsync(response, AgentJson.Default.AgentSetup, ct) ?? throw new JsonException("null setup"));

    /// <summary>A long poll: the node holds it open for up to its wait, then answers 204 when nothing came.</summary>
    private Task<T?> PollAsync<T>(string what, string path, string? query, JsonTypeInfo<T> json, CancellationToken cancellationToken, Action? sending = null)
        where T : class
    {
        var wait = AgentProtocol.MaxPollWait;
        var fullQuery = $"?{(query is null ? "" : query + "&")}instance={Uri.EscapeDataString(instance)}&wait={(int)wait.TotalSeconds}";
        // The margin keeps a slow answer from looking like a dead node.
        return CallAsync(what, wait + CallTimeout, cancellationToken,
            url =>
            {
                sending?.Invoke();
                return new HttpRequestMessage(HttpMethod.Get, new Uri(url, path + fullQuery));
            },
            async (response, ct) => response.StatusCode == HttpStatusCode.NoContent
                ? null
                : await ReadAsync(response, json, ct) ?? throw new JsonException($"null answer to the {what}"));
    }

    // Bodies are small: whole buffers, serialized and parsed in one go, take less code to start than
    // System.Net.Http.Json's streaming (all of which a fresh process compiles before its first turn).
    private static HttpRequestMessage Post<T>(Uri url, string path, T body, JsonTypeInfo<T> json)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, json));
        content.Headers.ContentType = JsonMediaType;
        return new HttpRequestMessage(HttpMethod.Post, new Uri(url, path)) { Content = content };
    }

    private static async Task<T?> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> json, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken), json);

    private static async Task<AgentAck> ReadAckAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var ack = await ReadAsync(response, AgentJson.Default.AgentAck, cancellationToken)
            ?? throw new JsonException("null ack");
        if (ack.Status == SessionStatus.Terminated)
            throw AgentExit.SessionEnded("the session's status is terminated");
        return ack;
    }

    private async Task<T> CallAsync<T>(
        string what, TimeSpan timeout, CancellationToken cancellationToken,
        Func<Uri, HttpRequestMessage> request, Func<HttpResponseMessage, CancellationToken, Task<T>> read)
    {
        var backoff = new Backoff(random);
        while (true)
        {
            var index = Volatile.Read(ref current);
            var url = config.OrchestratorUrls[index];
            var freezesBefore = freezes.Count;
            string failure;
            using (var timer = new CancellationTokenSource(timeout, time))
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token, freezes.NextThaw))
            {
                try
                {
                    using var message = request(url);
                    message.Headers.Authorization = authorization;
                    AgentTracing.Propagate(message);
                    using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                    var status = (int)response.StatusCode;
                    // A 404 means that node does not know this session: no reason to keep the machine alive.
                    if (status is >= 200 and < 500 && status != 404) orphans.Answered();
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.Gone:
                            throw AgentExit.SessionEnded($"{what} answered 410 Gone");
                        case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                            throw AgentExit.Misconfigured($"the session token was refused: {what} answered {status} {response.ReasonPhrase}");
                    }
                    if (response.IsSuccessStatusCode) return await read(response, deadline.Token);
                    failure = $"HTTP {status} {response.ReasonPhrase}";
                }
                catch (HttpRequestException e)
                {
                    failure = e.Message;
                }
                catch (JsonException e)
                {
                    failure = $"unreadable answer: {e.Message}";
                }
                catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    failure = $"no answer within {timeout.TotalSeconds:0.#} s";
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = "cut off by a freeze";
                }
            }

            // Out across a freeze (the session's machine suspended and resumed): its connection and its deadline
            // are stale, and the node is not to blame. The same node again, at once.
            if (freezes.Check() || freezes.Count != freezesBefore)
            {
                log.Write($"{what} via {url} failed across a freeze ({failure}); retrying at once");
                backoff.Reset();
                continue;
            }

            // Several calls may fail on the same node at once; only the first of them moves everyone on.
            var next = (index + 1) % config.OrchestratorUrls.Count;
            Interlocked.CompareExchange(ref current, next, index);
            var delay = backoff.Next();
            log.Write($"{what} via {url} failed ({failure}); retrying via {config.OrchestratorUrls[next]} in {delay.TotalMilliseconds:0} ms");
            await Task.Delay(delay, time, cancellationToken);
        }
    }
}

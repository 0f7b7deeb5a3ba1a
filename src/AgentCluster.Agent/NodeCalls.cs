using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Telemetry;

namespace AgentCluster.Agent;

/// <summary>
/// Calls to whichever orchestrator node answers, with one bearer credential (a session's token, or a pool
/// machine's). Nodes come and go (deploys, crashes), so a call that gets no answer is retried on the next base
/// URL after a backoff, until one answers or the caller gives up (its cancellation, or an <see cref="AgentExit"/>).
/// </summary>
internal sealed class NodeCalls(IReadOnlyList<Uri> urls, string token, HttpClient http, TimeProvider time, AgentLog log, Random random)
{
    /// <summary>For calls a healthy node answers at once; a long poll gets its wait on top.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private readonly AuthenticationHeaderValue authorization = new("Bearer", token);
    private int current;

    /// <summary>What the credential is, for the message of a refusal (never the credential itself).</summary>
    public required string Credential { get; init; }

    /// <summary>What a 410 means for this credential: why the agent ends.</summary>
    public required Func<string, AgentExit> Gone { get; init; }

    /// <summary>Some node answered (anything but a 404, a 5xx or no answer): the agent is not orphaned.</summary>
    public Action Answered { get; init; } = static () => { };

    /// <summary>
    /// Where freezes are noticed (the machine suspended and resumed): a call out across one is cut off when it is
    /// noticed and sent again at once to the same node, which is not to blame. Null: nobody looks.
    /// </summary>
    public Freezes? Freezes { get; init; }

    /// <summary>
    /// A long poll (<c>wait=</c> <see cref="AgentProtocol.MaxPollWait"/>, which the node holds open until it has an
    /// answer or the wait is over): null for its 204.
    /// </summary>
    /// <param name="query">The query's other parameters, without <c>?</c>; null for none.</param>
    /// <param name="sending">Called as each attempt goes out.</param>
    /// <param name="check">Throws a <see cref="JsonException"/> for an answer that parses but cannot be used: retried like any bad answer.</param>
    public Task<T?> PollAsync<T>(
        string what, string path, string? query, JsonTypeInfo<T> json, CancellationToken cancellationToken, Action? sending = null, Action<T>? check = null)
        where T : class
    {
        var wait = AgentProtocol.MaxPollWait;
        var fullQuery = $"?{(query is null ? "" : query + "&")}wait={(int)wait.TotalSeconds}";
        // The margin keeps a slow answer from looking like a dead node.
        return CallAsync(what, wait + CallTimeout, cancellationToken,
            url =>
            {
                sending?.Invoke();
                return new HttpRequestMessage(HttpMethod.Get, new Uri(url, path + fullQuery));
            },
            async (response, ct) =>
            {
                if (response.StatusCode == HttpStatusCode.NoContent) return null;
                var answer = await ReadAsync(response, json, ct) ?? throw new JsonException($"null answer to the {what}");
                check?.Invoke(answer);
                return answer;
            });
    }

    /// <summary>
    /// Per-call deadlines live in <see cref="CallAsync{T}"/>; a quick connect timeout moves a failing call on to the next
    /// node. No HttpClient activity (it is not exported, and a child of it would hang off nothing): a call carries the
    /// agent's own span as its traceparent instead (<see cref="AgentTracing.Propagate"/>).
    /// </summary>
    public static HttpClient NewHttpClient() =>
        new(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ActivityHeadersPropagator = null,
        }) { Timeout = Timeout.InfiniteTimeSpan };

    public static async Task<T?> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> json, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken), json);

    /// <summary>
    /// The backoff counts from when the failed attempt went out: one that failed only after its whole wait (a node
    /// that never answered), or after the process was frozen for hours (a suspended machine, resumed because a session
    /// claimed it), is retried at once: the wait has been had, and a resumed machine's first call is on a user's path.
    /// </summary>
    public async Task<T> CallAsync<T>(
        string what, TimeSpan timeout, CancellationToken cancellationToken,
        Func<Uri, HttpRequestMessage> request, Func<HttpResponseMessage, CancellationToken, Task<T>> read)
    {
        var backoff = new Backoff(random);
        while (true)
        {
            var index = Volatile.Read(ref current);
            var url = urls[index];
            var sent = time.GetTimestamp();
            var freezesBefore = Freezes?.Count;
            string failure;
            using (var timer = new CancellationTokenSource(timeout, time))
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token, Freezes?.NextThaw ?? CancellationToken.None))
            {
                try
                {
                    using var message = request(url);
                    message.Headers.Authorization = authorization;
                    AgentTracing.Propagate(message);
                    using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                    var status = (int)response.StatusCode;
                    // A 404 means that node does not know this session (or pool machine): no reason to keep the machine alive.
                    if (status is >= 200 and < 500 && status != 404) Answered();
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.Gone:
                            throw Gone($"{what} answered 410 Gone");
                        case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                            throw AgentExit.Misconfigured($"the {Credential} was refused: {what} answered {status} {response.ReasonPhrase}");
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

            // Out across a freeze: its connection and its deadline are stale, and the node is not to blame. The same node again, at once.
            if (Freezes is { } freezes && (freezes.Check() || freezes.Count != freezesBefore))
            {
                log.Write($"{what} via {url} failed across a freeze ({failure}); retrying at once");
                backoff.Reset();
                continue;
            }

            // Several calls may fail on the same node at once; only the first of them moves everyone on.
            var next = (index + 1) % urls.Count;
            Interlocked.CompareExchange(ref current, next, index);
            var delay = backoff.Next() - time.GetElapsedTime(sent);
            if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
            log.Write($"{what} via {url} failed ({failure}); retrying via {urls[next]} in {delay.TotalMilliseconds:0} ms");
            if (delay > TimeSpan.Zero) await Task.Delay(delay, time, cancellationToken);
        }
    }
}

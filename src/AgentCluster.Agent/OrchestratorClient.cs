using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Agent;

/// <summary>
/// The agent protocol over HTTP, against whichever orchestrator node answers (<see cref="NodeCalls"/>): a call
/// that gets no answer is retried on the next base URL for as long as the <see cref="OrphanWatch"/> lets the agent live.
/// </summary>
internal sealed class OrchestratorClient(
    AgentConfig config, string instance, HttpClient http, OrphanWatch orphans, TimeProvider time, AgentLog log, Random random)
    : IOrchestrator
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly NodeCalls calls = new(config.OrchestratorUrls, config.Token, http, time, log, random)
    {
        Credential = "session token",
        Gone = AgentExit.SessionEnded,
        Answered = orphans.Answered,
        Freezes = orphans.Freezes,
    };

    public Task<AgentAck> PushAsync(IReadOnlyList<AgentEvent> events, CancellationToken cancellationToken) =>
        calls.CallAsync("push", NodeCalls.CallTimeout, cancellationToken,
            url => Post(url, AgentProtocol.EventsPath(config.SessionId), new AgentEventBatch(instance, events), AgentJson.Default.AgentEventBatch),
            ReadAckAsync);

    public Task<AgentAck> HeartbeatAsync(CancellationToken cancellationToken) =>
        calls.CallAsync("heartbeat", NodeCalls.CallTimeout, cancellationToken,
            url => Post(url, AgentProtocol.HeartbeatPath(config.SessionId), new AgentHello(instance), AgentJson.Default.AgentHello),
            ReadAckAsync);

    public Task<AgentTurn?> NextTurnAsync(int after, CancellationToken cancellationToken) =>
        PollAsync("poll", AgentProtocol.NextTurnPath(config.SessionId), $"after={after}", AgentJson.Default.AgentTurn, cancellationToken,
            () => StartupTimeline.Mark(StartupTimeline.FirstPollSent));

    public Task<AgentInterrupt?> WatchInterruptAsync(int turn, CancellationToken cancellationToken) =>
        PollAsync("interrupt watch", AgentProtocol.InterruptPath(config.SessionId, turn), null, AgentJson.Default.AgentInterrupt, cancellationToken);

    public Task<AgentSetup> SetupAsync(CancellationToken cancellationToken) =>
        calls.CallAsync("setup", NodeCalls.CallTimeout, cancellationToken,
            url => new HttpRequestMessage(HttpMethod.Get, new Uri(url, AgentProtocol.SetupPath(config.SessionId))),
            async (response, ct) => await NodeCalls.ReadAsync(response, AgentJson.Default.AgentSetup, ct) ?? throw new JsonException("null setup"));

    /// <summary>A session's long polls say which instance of the agent asks.</summary>
    private Task<T?> PollAsync<T>(string what, string path, string? query, JsonTypeInfo<T> json, CancellationToken cancellationToken, Action? sending = null)
        where T : class =>
        calls.PollAsync(what, path, $"{(query is null ? "" : query + "&")}instance={Uri.EscapeDataString(instance)}", json, cancellationToken, sending);

    // Bodies are small: whole buffers, serialized and parsed in one go, take less code to start than
    // System.Net.Http.Json's streaming (all of which a fresh process compiles before its first turn).
    private static HttpRequestMessage Post<T>(Uri url, string path, T body, JsonTypeInfo<T> json)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, json));
        content.Headers.ContentType = JsonMediaType;
        return new HttpRequestMessage(HttpMethod.Post, new Uri(url, path)) { Content = content };
    }

    private static async Task<AgentAck> ReadAckAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var ack = await NodeCalls.ReadAsync(response, AgentJson.Default.AgentAck, cancellationToken)
            ?? throw new JsonException("null ack");
        if (ack.Status == SessionStatus.Terminated)
            throw AgentExit.SessionEnded("the session's status is terminated");
        return ack;
    }
}

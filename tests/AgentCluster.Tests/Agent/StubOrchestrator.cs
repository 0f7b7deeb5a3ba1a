using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentCluster.Tests.Agent;

/// <summary>
/// The node's side of the agent protocol, small enough to trust: it stores each (instance, seq) once as the
/// session does, records every call, and can be told to fail pushes, refuse the token or end the session.
/// </summary>
public sealed class StubOrchestrator : IAsyncDisposable
{
    public const string SessionId = "ses_stub";
    public const string Token = "stub-secret-token";

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<AgentEvent> stored = [];
    private readonly HashSet<(string Instance, long Seq)> seen = [];
    private readonly List<string> heartbeats = [];
    private readonly List<(int After, string Instance)> polls = [];
    private readonly List<AgentTurn> turns = [];
    private readonly TaskCompletionSource<int> interrupted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource turnQueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int failPushes;
    private bool storeFailedPushes;

    private StubOrchestrator(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>What every call gets: normal answers, 403, 410, or acks whose status is terminated.</summary>
    public StubMode Mode { get; set; }

    public int Pushes { get; private set; }
    public int Duplicates { get; private set; }

    public static async Task<StubOrchestrator> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Held polls must not keep a stopping stub around for the default 30 s.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var stub = new StubOrchestrator(app);
        app.MapPost("/agent/sessions/{id}/events", stub.PushAsync);
        app.MapPost("/agent/sessions/{id}/heartbeat", stub.HeartbeatAsync);
        app.MapGet("/agent/sessions/{id}/turns/next", stub.NextTurnAsync);
        app.MapGet("/agent/sessions/{id}/setup", (string id, HttpRequest request) =>
            stub.Refusal(id, request) ?? Results.Json(new AgentSetup { Settings = new AgentSettings() }, ProtocolJson.Options));
        app.MapGet("/agent/sessions/{id}/turns/{turn:int}/interrupt", stub.WatchInterruptAsync);
        await app.StartAsync();
        stub.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    public IReadOnlyList<AgentEvent> Events { get { lock (gate) return stored.ToList(); } }
    public IReadOnlyList<string> Heartbeats { get { lock (gate) return heartbeats.ToList(); } }
    public IReadOnlyList<(int After, string Instance)> Polls { get { lock (gate) return polls.ToList(); } }

    /// <summary>The text of every agent.output event of one stream, in sequence order.</summary>
    public IReadOnlyList<string> Output(string stream) =>
        Events.Where(e => e.Type == EventTypes.AgentOutput && Payload(e).GetProperty("stream").GetString() == stream)
            .Select(e => Payload(e).GetProperty("text").GetString()!).ToList();

    public JsonElement? Completion(int turn) =>
        Events.Where(e => e.Type == EventTypes.TurnCompleted && e.Turn == turn).Select(Payload).Cast<JsonElement?>().FirstOrDefault();

    public static JsonElement Payload(AgentEvent e) => JsonDocument.Parse(e.Payload).RootElement;

    /// <returns>The turn's number.</returns>
    public int QueueTurn(string content)
    {
        lock (gate)
        {
            var turn = new AgentTurn(turns.Count + 1, content);
            turns.Add(turn);
            turnQueued.TrySetResult();
            turnQueued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return turn.Turn;
        }
    }

    /// <param name="afterStoring">Store the events and then fail, as when the ack is lost on the way back.</param>
    public void FailNextPushes(int count, bool afterStoring)
    {
        lock (gate) (failPushes, storeFailedPushes) = (count, afterStoring);
    }

    private async Task<IResult> PushAsync(string id, HttpRequest request)
    {
        if (Refusal(id, request) is { } refusal) return refusal;
        var batch = await request.ReadFromJsonAsync<AgentEventBatch>(ProtocolJson.Options);
        lock (gate)
        {
            Pushes++;
            var fail = failPushes > 0;
            if (fail) failPushes--;
            if (fail && !storeFailedPushes) return Results.StatusCode(503);
            foreach (var e in batch!.Events)
            {
                if (seen.Add((batch.Instance, e.Seq))) stored.Add(e);
                else Duplicates++;
            }
            return fail ? Results.StatusCode(503) : Ack(batch.Instance);
        }
    }

    private async Task<IResult> HeartbeatAsync(string id, HttpRequest request)
    {
        if (Refusal(id, request) is { } refusal) return refusal;
        var hello = await request.ReadFromJsonAsync<AgentHello>(ProtocolJson.Options);
        lock (gate)
        {
            heartbeats.Add(hello!.Instance);
            return Ack(hello.Instance);
        }
    }

    private async Task<IResult> NextTurnAsync(string id, int after, string instance, int wait, HttpRequest request)
    {
        if (Refusal(id, request) is { } refusal) return refusal;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(wait);
        lock (gate) polls.Add((after, instance));
        while (true)
        {
            Task queued;
            lock (gate)
            {
                if (turns.FirstOrDefault(t => t.Turn > after) is { } turn) return Results.Json(turn, ProtocolJson.Options);
                queued = turnQueued.Task;
            }
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return Results.NoContent();
            try
            {
                await queued.WaitAsync(left, request.HttpContext.RequestAborted);
            }
            catch (TimeoutException)
            {
                return Results.NoContent();
            }
        }
    }

    /// <summary>Answers when <see cref="Interrupt"/> names the turn, else 204 once the poll's wait is over.</summary>
    private async Task<IResult> WatchInterruptAsync(string id, int turn, int wait, HttpRequest request)
    {
        if (Refusal(id, request) is { } refusal) return refusal;
        try
        {
            var interruptedTurn = await interrupted.Task.WaitAsync(TimeSpan.FromSeconds(wait), request.HttpContext.RequestAborted);
            if (interruptedTurn == turn) return Results.Json(new AgentInterrupt(turn), ProtocolJson.Options);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }
        return Results.NoContent();
    }

    /// <summary>The client interrupts <paramref name="turn"/>: the agent's watch on it answers.</summary>
    public void Interrupt(int turn) => interrupted.TrySetResult(turn);

    private IResult? Refusal(string id, HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}") return Results.StatusCode(401);
        if (id != SessionId) return Results.NotFound();
        return Mode switch
        {
            StubMode.Forbidden => Results.StatusCode(403),
            StubMode.Gone => Results.StatusCode(410),
            _ => null,
        };
    }

    /// <summary>Acknowledges the longest run of stored sequence numbers from 1, as a session that stores in order would.</summary>
    private IResult Ack(string instance)
    {
        var acked = 0L;
        while (seen.Contains((instance, acked + 1))) acked++;
        var status = Mode == StubMode.Terminated ? SessionStatus.Terminated : SessionStatus.Running;
        return Results.Json(new AgentAck(acked, status), ProtocolJson.Options);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public enum StubMode
{
    Normal,
    Forbidden,
    Gone,
    Terminated,
}

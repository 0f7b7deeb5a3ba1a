using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.Tests.Agent;

/// <summary>
/// The node's side of the agent protocol, small enough to trust: it stores each (instance, seq) once as the
/// session does, records every call, and can be told to fail pushes, refuse the token or end the session. As a
/// pool, it holds a pool machine's claim polls until <see cref="Claim"/> hands the machine its session.
/// </summary>
public sealed class StubOrchestrator : FakeHttpServer
{
    public const string SessionId = "ses_stub";
    public const string Token = "stub-secret-token";
    public const string Pool = "pool_stub";
    public const string PoolToken = "stub-pool-secret";
    public const string MachineId = "m_stub";

    /// <summary>What the setup hands the agent for its control server.</summary>
    public const string ControlKey = "stub-control-key";

    private readonly Lock gate = new();
    private readonly List<AgentEvent> stored = [];
    private readonly HashSet<(string Instance, long Seq)> seen = [];
    private readonly List<string> heartbeats = [];
    private readonly List<(int After, string Instance)> polls = [];
    private readonly List<AgentTurn> turns = [];
    private readonly TaskCompletionSource<int> interrupted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource turnQueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<AgentClaim> claimed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ClaimPoll> claimPolls = [];
    private CancellationTokenSource dropHeldClaimPolls = new();
    private int failPushes;
    private bool storeFailedPushes;

    /// <summary>What every call gets: normal answers, 403, 410, or acks whose status is terminated.</summary>
    public StubMode Mode { get; set; }

    /// <summary>What every claim poll gets at once instead of the claim (403, 410, 503…); null to hold it for the claim.</summary>
    public int? ClaimStatus { get; set; }

    /// <summary>How long a claim poll is held when no claim comes: at most its wait.</summary>
    public TimeSpan ClaimHold { get; set; } = AgentProtocol.MaxPollWait;

    public int Pushes { get; private set; }
    public int Duplicates { get; private set; }

    public static Task<StubOrchestrator> StartAsync() => StartAsync(new StubOrchestrator());

    protected override void Map(WebApplication app)
    {
        app.MapPost("/agent/sessions/{id}/events", PushAsync);
        app.MapPost("/agent/sessions/{id}/heartbeat", HeartbeatAsync);
        app.MapGet("/agent/sessions/{id}/turns/next", NextTurnAsync);
        app.MapGet("/agent/sessions/{id}/setup", (string id, HttpRequest request) =>
            Refusal(id, request) ?? Results.Json(new AgentSetup { Settings = new AgentSettings(), ControlKey = ControlKey }, ProtocolJson.Options));
        app.MapGet("/agent/sessions/{id}/turns/{turn:int}/interrupt", WatchInterruptAsync);
        app.MapGet("/agent/pools/{pool}/machines/{machine}/claim", ClaimPollAsync);
    }

    /// <summary>Each claim poll as it arrived: when (UTC), its wait, and whether it carried the pool token.</summary>
    public IReadOnlyList<ClaimPoll> ClaimPolls { get { lock (gate) return claimPolls.ToList(); } }

    /// <summary>The stub's session claims the machine: held claim polls and later ones answer with it.</summary>
    public void Claim(string runtime = "shell") =>
        claimed.TrySetResult(new AgentClaim { SessionId = SessionId, Token = Token, Runtime = runtime });

    /// <summary>Drops the connection of every claim poll held now, as a node does that went away while the machine slept.</summary>
    public void DropHeldClaimPolls()
    {
        CancellationTokenSource dropping;
        lock (gate) (dropping, dropHeldClaimPolls) = (dropHeldClaimPolls, new CancellationTokenSource());
        dropping.Cancel();
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

    private async Task<IResult> ClaimPollAsync(string pool, string machine, int wait, HttpRequest request)
    {
        var authorized = request.Headers.Authorization.ToString() == $"Bearer {PoolToken}";
        CancellationToken dropped;
        lock (gate)
        {
            claimPolls.Add(new ClaimPoll(DateTime.UtcNow, wait, authorized));
            dropped = dropHeldClaimPolls.Token;
        }
        if (!authorized) return Results.StatusCode(401);
        if (pool != Pool || machine != MachineId) return Results.NotFound();
        if (ClaimStatus is { } status) return Results.StatusCode(status);
        using var held = CancellationTokenSource.CreateLinkedTokenSource(dropped, request.HttpContext.RequestAborted);
        try
        {
            var claim = await claimed.Task.WaitAsync(Min(ClaimHold, TimeSpan.FromSeconds(wait)), held.Token);
            return Results.Json(claim, ProtocolJson.Options);
        }
        catch (TimeoutException)
        {
            return Results.NoContent();
        }
        catch (OperationCanceledException) when (dropped.IsCancellationRequested)
        {
            request.HttpContext.Abort();
            return Results.Empty;
        }
    }

    protected override ValueTask OnStoppingAsync()
    {
        DropHeldClaimPolls();
        return ValueTask.CompletedTask;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

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
}

public sealed record ClaimPoll(DateTime At, int Wait, bool Authorized);

public enum StubMode
{
    Normal,
    Forbidden,
    Gone,
    Terminated,
}

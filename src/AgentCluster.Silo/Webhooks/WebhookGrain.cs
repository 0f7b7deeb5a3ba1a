using System.Text.Json.Nodes;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Sessions;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Webhooks;

/// <summary>
/// One subscription and its delivery queue (<see cref="WebhookQueue"/>). Everything it must not lose is grain state,
/// written before it is acted on: what it queued and how far it read (one write), each attempt's outcome. A grain
/// timer tries the head of the queue when it is due; a reminder, kept while anything is queued or a session is
/// open, brings the grain back after its node restarts or dies, and re-reads open sessions' logs in case a poke was
/// lost. Deliveries go one at a time, in order.
/// </summary>
[GrainType("webhook")]
public sealed partial class WebhookGrain(
    [PersistentState("webhook", ClusterHosting.StorageName)] IPersistentState<WebhookState> state,
    ISessionEventLog log,
    WebhookSender sender,
    WebhookSecrets secrets,
    WebhookMetrics metrics,
    IOptions<WebhookOptions> options,
    [FromKeyedServices(SessionClock.Key)] TimeProvider time,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IRemindable
{
    private const string ReminderName = "deliver";
    private const int ReadBatch = 256;

    private WebhookQueue queue = null!;
    private IGrainTimer? timer;
    private bool reminded;

    private string Id => this.GetPrimaryKeyString();
    private WebhookState S => state.State;
    private DateTimeOffset Now => time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        queue = new WebhookQueue(S, options.Value, new WebhookRetrySchedule(options.Value));
        reminded = await this.GetReminder(ReminderName) is not null;
        Schedule();
    }

    public async Task<WebhookView> CreateAsync(string owner, string url, IReadOnlyList<string> events, string protectedSecret)
    {
        if (state.RecordExists) return S.Owner == owner ? View() : throw new InvalidOperationException($"Webhook id {Id} is taken.");
        (S.Owner, S.Url, S.Events, S.ProtectedSecret, S.CreatedAt) = (owner, url, [.. events], protectedSecret, Now);
        await state.WriteStateAsync();
        return View();
    }

    public Task<WebhookView?> GetAsync() => Task.FromResult(state.RecordExists ? View() : null);

    public async Task DeleteAsync()
    {
        timer?.Dispose();
        timer = null;
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public async Task SessionAdvancedAsync(string sessionId, long lastSeq)
    {
        if (!state.RecordExists || lastSeq <= queue.CursorOf(sessionId)) return;
        await ReadAsync(sessionId);
        await KeepReminderAsync();
        Schedule();
    }

    public async Task SweepAsync(IReadOnlyList<string> sessionIds)
    {
        if (!state.RecordExists) return;
        var unfinished = sessionIds.Where(id => !queue.HasReadEnd(id)).ToList();
        if (unfinished.Count == 0) return;
        foreach (var sessionId in unfinished) await ReadAsync(sessionId);
        await KeepReminderAsync();
        Schedule();
    }

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!state.RecordExists) return;
        // The backstop for a lost poke: a session it knows, but whose end it has not read, is read again.
        foreach (var (sessionId, _) in queue.OpenSessions) await ReadAsync(sessionId);
        await KeepReminderAsync();
        Schedule();
    }

    /// <summary>Reads the session's log past the cursor and queues what is subscribed; one state write per batch.</summary>
    private async Task ReadAsync(string sessionId)
    {
        while (true)
        {
            var events = await log.ReadAsync(sessionId, queue.CursorOf(sessionId), ReadBatch);
            var failedBefore = S.FailedTotal;
            if (!queue.Take(sessionId, events, Now)) return;
            await state.WriteStateAsync();
            metrics.GaveUp(S.FailedTotal - failedBefore); // pushed out of a full queue
            if (events.Count < ReadBatch) return;
        }
    }

    /// <summary>A reminder while there is something to deliver or a session to watch; none otherwise (an idle subscription costs nothing).</summary>
    private async Task KeepReminderAsync()
    {
        var wanted = queue.Pending > 0 || queue.OpenSessions.Count > 0;
        if (wanted == reminded) return;
        if (wanted) await this.RegisterOrUpdateReminder(ReminderName, options.Value.ReminderPeriod, options.Value.ReminderPeriod);
        else if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
        reminded = wanted;
    }

    /// <summary>A one-shot timer for when the head of the queue is due.</summary>
    private void Schedule()
    {
        timer?.Dispose();
        timer = null;
        if (queue.NextDue is not { } due) return;
        var wait = due - Now;
        timer = this.RegisterGrainTimer(DeliverDueAsync, new GrainTimerCreationOptions(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan));
    }

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (queue.Due(Now) is { } delivery && !cancellationToken.IsCancellationRequested)
            {
                var outcome = await AttemptAsync(delivery, cancellationToken);
                var failedBefore = S.FailedTotal;
                if (outcome.Delivered) queue.Delivered(delivery, Now);
                else
                {
                    queue.Failed(delivery, outcome.Error ?? "failed", Now, outcome.RetryAfter, outcome.Final);
                    LogAttemptFailed(Id, delivery.WebhookId, delivery.Attempts + 1, outcome.Error ?? "failed");
                }
                await state.WriteStateAsync(); // the outcome is durable before the next delivery is tried
                if (outcome.Delivered) metrics.Delivered();
                else metrics.AttemptFailed();
                metrics.GaveUp(S.FailedTotal - failedBefore);
            }
            await KeepReminderAsync();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage trouble: nothing is lost (the queue is as last written); the reminder or the next poke tries again.
            LogDeliveryStalled(e, Id);
        }
        Schedule();
    }

    private async Task<SendOutcome> AttemptAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var events = await log.ReadAsync(delivery.SessionId, delivery.Seq - 1, 1, cancellationToken);
        // Gone for good (the session was deleted and its log purged): no retry can bring it back.
        if (events is not [var e] || e.Seq != delivery.Seq)
            return new SendOutcome(false, $"event {delivery.Seq} of session {delivery.SessionId} is no longer in its log", Final: true);
        var body = new JsonObject
        {
            ["type"] = delivery.Type,
            ["timestamp"] = e.At.ToString("O"),
            ["data"] = new JsonObject
            {
                ["session_id"] = delivery.SessionId,
                ["seq"] = e.Seq,
                ["turn"] = e.Turn,
                ["event"] = JsonNode.Parse(e.Payload),
            },
        }.ToJsonString();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.Value.AttemptTimeout);
        return await sender.SendAsync(S.Url, secrets.Unprotect(S.ProtectedSecret), delivery.WebhookId, body, Now, attempt.Token);
    }

    private WebhookView View() => new()
    {
        Id = Id, Url = S.Url, Events = S.Events, CreatedAt = S.CreatedAt, Pending = queue.Pending, DeliveredTotal = S.DeliveredTotal,
        FailedTotal = S.FailedTotal, LastError = S.LastError, LastDeliveredAt = S.LastDeliveredAt, Owner = S.Owner,
    };

    [LoggerMessage(1300, LogLevel.Information, "Webhook {WebhookId}: delivery {MessageId} attempt {Attempt} failed: {Error}")]
    private partial void LogAttemptFailed(string webhookId, string messageId, int attempt, string error);

    [LoggerMessage(1301, LogLevel.Warning, "Webhook {WebhookId}: deliveries stalled; they resume on the next reminder")]
    private partial void LogDeliveryStalled(Exception e, string webhookId);
}

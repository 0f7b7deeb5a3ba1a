using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Sessions;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Webhooks;

/// <summary>What an owner's grain persists: its subscriptions' ids.</summary>
[GenerateSerializer, Alias("AgentCluster.WebhookOwnerState")]
public sealed class WebhookOwnerState
{
    [Id(0)] public List<string> Subscriptions { get; set; } = [];
}

/// <summary>
/// The list of one owner's subscriptions; the door through which its sessions reach them. While it has any, it
/// sweeps the owner's recent sessions (<see cref="WebhookSweep"/>) every <see cref="WebhookOptions.SweepInterval"/>,
/// so that an event whose poke was lost with its node still reaches them; a reminder brings it back after that.
/// </summary>
[GrainType("webhook-owner")]
public sealed partial class WebhookOwnerGrain(
    [PersistentState("webhook-owner", ClusterHosting.StorageName)] IPersistentState<WebhookOwnerState> state,
    ISessionCatalog catalog,
    IOptions<WebhookOptions> options,
    [FromKeyedServices(SessionClock.Key)] TimeProvider time,
    ILogger<WebhookOwnerGrain> logger) : Grain, IWebhookOwnerGrain, IRemindable
{
    private const string ReminderName = "sweep";

    private WebhookSweep sweep = null!;
    private IGrainTimer? timer;

    private string Owner => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        sweep = new WebhookSweep(options.Value, time);
        // Also gives owners from before the sweep existed their reminder. None: nothing to look up (a reminder left by a
        // crash during the last removal finds no subscriptions when it fires, and goes).
        if (state.State.Subscriptions.Count > 0) await KeepSweepingAsync();
    }

    public async Task AddAsync(string id, IReadOnlyList<string> events, int max)
    {
        if (state.State.Subscriptions.Contains(id)) return;
        if (state.State.Subscriptions.Count >= max)
            throw new SessionException(SessionErrorKind.Conflict, $"This key has its {max} webhook subscriptions already; delete one first.");
        state.State.Subscriptions.Add(id);
        await state.WriteStateAsync();
        await KeepSweepingAsync();
    }

    public async Task<bool> RemoveAsync(string id)
    {
        if (!state.State.Subscriptions.Remove(id)) return false;
        await state.WriteStateAsync();
        await KeepSweepingAsync();
        return true;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Subscriptions]);

    public Task SessionAdvancedAsync(string sessionId, long lastSeq) => options.Value.DropPokes
        ? Task.CompletedTask
        : Task.WhenAll(state.State.Subscriptions.Select(id => GrainFactory.GetGrain<IWebhookGrain>(id).SessionAdvancedAsync(sessionId, lastSeq)));

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => KeepSweepingAsync();

    /// <summary>A reminder and a timer while there are subscriptions; neither once there are none (an owner without webhooks costs nothing).</summary>
    private async Task KeepSweepingAsync()
    {
        var wanted = state.State.Subscriptions.Count > 0;
        if (wanted && timer is null)
        {
            if (await this.GetReminder(ReminderName) is null)
                await this.RegisterOrUpdateReminder(ReminderName, options.Value.ReminderPeriod, options.Value.ReminderPeriod);
            timer = this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions(options.Value.SweepInterval, options.Value.SweepInterval) { KeepAlive = true });
        }
        else if (!wanted)
        {
            timer?.Dispose();
            timer = null;
            if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Hands the sessions the sweep picked to every subscription, which reads only those it never has.</summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            var sessionIds = await sweep.NextAsync((cursor, limit) => catalog.ListAsync(Owner, cursor, limit));
            if (sessionIds.Count > 0)
                await Task.WhenAll(state.State.Subscriptions.Select(id => GrainFactory.GetGrain<IWebhookGrain>(id).SweepAsync(sessionIds)));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Redis or a subscription's trouble: this tick is lost, the next one sweeps again.
            LogSweepFailed(e, Owner);
        }
    }

    [LoggerMessage(1302, LogLevel.Warning, "Webhooks of {Owner}: a sweep for lost pokes failed; the next one tries again")]
    private partial void LogSweepFailed(Exception e, string owner);
}

using AgentCluster.Fly;
using AgentCluster.Silo.Reaping;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Machines;

/// <summary>The shell around <see cref="CreateBudget"/>: answers who may create now, and calls the next waiters back as the budget frees up.</summary>
[GrainType("machine-creates")]
public sealed partial class MachineCreatesGrain(
    IOptions<FlyOptions> fly, [FromKeyedServices(SessionClock.Key)] TimeProvider time, ILogger<MachineCreatesGrain> logger)
    : Grain, IMachineCreatesGrain
{
    private CreateBudget budget = null!;
    private IGrainTimer? timer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        budget = new CreateBudget(fly.Value.Apps, time.GetUtcNow(), limited: fly.Value.ClientRateLimits);
        return Task.CompletedTask;
    }

    public Task<CreateTicket> AskAsync(CreateWaiter waiter)
    {
        var ticket = budget.Ask(waiter, time.GetUtcNow());
        if (ticket.App is null) Arm();
        return Task.FromResult(ticket);
    }

    public Task CancelAsync(CreateWaiter waiter)
    {
        budget.Cancel(waiter);
        return Task.CompletedTask;
    }

    /// <summary>The timer fires when the next create frees up, and only while someone waits; it keeps the queue active.</summary>
    private void Arm()
    {
        timer?.Dispose();
        timer = null;
        var now = time.GetUtcNow();
        if (budget.NextDueAt(now) is not { } due) return;
        var wait = due - now;
        timer = this.RegisterGrainTimer(GrantAsync, new GrainTimerCreationOptions(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private Task GrantAsync(CancellationToken cancellationToken)
    {
        foreach (var (waiter, app) in budget.Due(time.GetUtcNow()))
        {
            ICreateWaiterGrain grain = waiter.Kind == CreateWaiterKind.Session
                ? GrainFactory.GetGrain<Sessions.ISessionCreateGrain>(waiter.Key)
                : GrainFactory.GetGrain<Pool.IMachinePoolGrain>(waiter.Key);
            // Not awaited: a create takes a while, and the next waiter's turn does not wait for it. A call that
            // fails is not lost: the waiter asks again on its own (a session on its next upkeep check).
            _ = grain.CreateGrantedAsync(app).ContinueWith(t => LogGrantFailed(t.Exception!.InnerException!, waiter.Key),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current);
        }
        Arm();
        return Task.CompletedTask;
    }

    [LoggerMessage(3200, LogLevel.Warning, "Create for {Waiter} could not be handed over; it asks again")]
    private partial void LogGrantFailed(Exception e, string waiter);
}

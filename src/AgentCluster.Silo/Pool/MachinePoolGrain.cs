using Orleans.Concurrency;

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Sessions;
using Microsoft.Extensions.Options;

namespace AgentCluster.Silo.Pool;

/// <summary>
/// The shell around one <see cref="MachinePool"/>: it keeps the pool full within the cluster's create budget
/// (<see cref="IMachineCreatesGrain"/>), suspends each machine once its agent has called in, hands ready machines to
/// sessions (persisted before the answer: a claim survives the node that made it) and replaces stale ones.
/// </summary>
[GrainType("machine-pool"), Reentrant] // calls interleave (agents' long polls, creates under way); state changes take turns (Exclusively)
public sealed partial class MachinePoolGrain(
    [PersistentState("pool", ClusterHosting.StorageName)] IPersistentState<PoolState> state,
    IMachines machines,
    PoolShapes shapes,
    IOptions<PoolOptions> options,
    IOptions<ReaperOptions> reaper,
    PoolMetrics metrics,
    [FromKeyedServices(SessionClock.Key)] TimeProvider time,
    ILogger<MachinePoolGrain> logger) : Grain, IMachinePoolGrain
{
    // Held by every change of state: calls interleave (the agents' long polls), writes must not.
    private readonly SemaphoreSlim changes = new(1, 1);
    private readonly Dictionary<string, TaskCompletionSource> claimed = [];
    private MachinePool pool = null!;
    private MachineShape shape = null!;
    private int target;
    private bool asked; // a create is asked for and not granted yet
    private long readyCounted;

    private string Name => this.GetPrimaryKeyString();
    private DateTimeOffset Now => time.GetUtcNow();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A pool no longer configured keeps nothing ready: its machines go as stale.
        (shape, target) = shapes.Find(Name) ?? (new MachineShape("", new GuestSpec(), ""), 0);
        var version = shape.Image.Length > 0 ? machines.PoolConfigVersion(shape) : "gone";
        pool = new MachinePool(state.State, version, options.Value.BootTimeout);
        this.RegisterGrainTimer(_ => MaintainAsync(), new GrainTimerCreationOptions(options.Value.KeepInterval, options.Value.KeepInterval) { KeepAlive = true, Interleave = true });
        CountReady();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.ReadyChanged(Name, -readyCounted);
        return Task.CompletedTask;
    }

    public Task KeepAsync() => Task.CompletedTask; // activating is the point: the timer does the rest

    public Task<PoolStatus> StatusAsync() =>
        Task.FromResult(new PoolStatus(Name, shape.Image, shape.Guest, shape.Region, target, pool.Ready, pool.Starting, pool.ClaimedTotal));

    public Task<SessionMachine?> ClaimAsync(string sessionId) => Exclusively(async () =>
    {
        if (pool.Claim(sessionId, Now) is not { } machine) return null;
        await state.WriteStateAsync();
        metrics.Claimed(Name);
        if (claimed.Remove(machine.Id!, out var waiting)) waiting.TrySetResult();
        _ = MaintainAsync(); // the refill starts now, not at the next tick
        return new SessionMachine(machine.Id!, machine.Region, machine.App!, machine.PrivateIp);
    });

    public async Task<string?> WaitForClaimAsync(string machineId, string poolToken, TimeSpan wait, CancellationToken cancellationToken)
    {
        var (machine, ready) = await Exclusively(async () =>
        {
            var machine = pool.Find(machineId)
                ?? throw new SessionException(SessionErrorKind.Terminated, $"Machine '{machineId}' is not in pool '{Name}': it is not wanted.");
            if (!SessionTokens.Matches(poolToken, machine.TokenHash))
                throw new SessionException(SessionErrorKind.Forbidden, $"This credential is not machine '{machineId}''s pool credential.");
            var ready = pool.CalledIn(machine, Now);
            if (ready) await state.WriteStateAsync();
            return (machine, ready);
        });
        if (ready)
        {
            CountReady();
            // Suspended while it waits: a resume takes a few hundred ms where a cold boot takes seconds, and a
            // suspended machine bills no CPU. Not awaited: the agent's poll goes on meanwhile (it is frozen in it).
            _ = SuspendAsync(machine);
        }
        if (machine.ClaimedBy is { } session) return session;
        if (!claimed.TryGetValue(machineId, out var signal)) claimed[machineId] = signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await signal.Task.WaitAsync(wait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
        return machine.ClaimedBy;
    }

    private async Task SuspendAsync(PoolMachine machine)
    {
        try
        {
            await machines.SleepAsync(machine.App!, machine.Id!, shape.Guest);
        }
        catch (SessionException e)
        {
            LogSuspendFailed(e, Name, machine.Id!); // it stays ready, only running: a claim starts it all the same
        }
    }

    public async Task CreateGrantedAsync(string app)
    {
        asked = false;
        await CreateAsync(app);
        await MaintainAsync();
    }

    /// <summary>Replaces what expired, then asks for the creates the pool is missing (one at a time: each grant makes one).</summary>
    private async Task MaintainAsync()
    {
        var (destroy, forget) = pool.Expired(Now);
        var gone = new List<PoolMachine>(forget);
        foreach (var machine in destroy)
        {
            if (machine.Id is not null && (await machines.DestroyAsync(machine.App!, machine.Id)).Failure is { } failure)
                LogDestroyFailed(failure, Name, machine.Id);
            else
                gone.Add(machine);
        }
        if (gone.Count > 0)
        {
            await Exclusively(async () =>
            {
                foreach (var machine in gone) pool.Forget(machine.Name);
                await state.WriteStateAsync();
                return true;
            });
        }
        CountReady();
        while (!asked && pool.Missing(target) > 0)
        {
            var ticket = await GrainFactory.GetGrain<IMachineCreatesGrain>(0).AskAsync(CreateWaiter.Pool(Name));
            if (ticket.App is not { } app)
            {
                asked = true; // called back when it is the pool's turn
                break;
            }
            await CreateAsync(app);
        }
    }

    /// <summary>One machine, named and saved before it is made, so a create whose answer is lost is found by its name.</summary>
    private async Task CreateAsync(string app)
    {
        var reserved = await Exclusively(async () =>
        {
            if (pool.Missing(target) == 0) return null;
            var name = "pool-" + Guid.NewGuid().ToString("N")[..12];
            var token = SessionTokens.New(PoolTokenPrefix);
            pool.Add(name, SessionTokens.Hash(token), Now);
            await state.WriteStateAsync();
            return new PooledMachineRequest(Name, name, shape, token, machines.PoolConfigVersion(shape));
        });
        if (reserved is null) return;
        SessionMachine? made = null;
        try
        {
            made = await machines.CreatePooledAsync(app, reserved);
            metrics.Refilled(Name);
        }
        catch (SessionException e)
        {
            LogCreateFailed(e, Name);
        }
        await Exclusively(async () =>
        {
            if (made is null) pool.Forget(reserved.Name);
            else pool.Made(reserved.Name, made, Now);
            await state.WriteStateAsync();
            return true;
        });
    }

    public Task<MachineVerdict> ReconcileAsync(string app, string machineId, TimeSpan seenFor) => Exclusively(async () =>
    {
        if (pool.Find(machineId) is not null) return MachineVerdict.Kept;
        // A create whose answer was lost (not yet known by id), or a machine of a pool that forgot it.
        if (seenFor < reaper.Value.OrphanGrace) return MachineVerdict.Spared;
        if ((await machines.DestroyAsync(app, machineId)).Failure is { } failure) throw failure;
        LogStrayDestroyed(Name, machineId);
        return MachineVerdict.Destroyed;
    });

    private void CountReady()
    {
        var ready = pool.Ready;
        metrics.ReadyChanged(Name, ready - readyCounted);
        readyCounted = ready;
    }

    private Task<T> Exclusively<T>(Func<Task<T>> change) => changes.RunAsync(change);

    private const string PoolTokenPrefix = "acp_";

    [LoggerMessage(3300, LogLevel.Warning, "Pool {Pool}: a machine create failed; the pool asks again")]
    private partial void LogCreateFailed(Exception e, string pool);

    [LoggerMessage(3301, LogLevel.Warning, "Pool {Pool}: machine {MachineId} could not be suspended; it waits running")]
    private partial void LogSuspendFailed(Exception e, string pool, string machineId);

    [LoggerMessage(3302, LogLevel.Warning, "Pool {Pool}: machine {MachineId} could not be destroyed; tried again later")]
    private partial void LogDestroyFailed(Exception e, string pool, string machineId);

    [LoggerMessage(3303, LogLevel.Information, "Pool {Pool}: destroyed machine {MachineId}, which it did not know")]
    private partial void LogStrayDestroyed(string pool, string machineId);
}

using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Storage;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Reaping;

/// <summary>
/// One shard of the reaper. It holds no state of its own: the schedule it sweeps is durable (written by the
/// sessions), and the sessions decide what to do when asked. A reminder brings the shard back after its node
/// dies (at most a minute later); while active, a grain timer sweeps every <see cref="ReaperOptions.SweepInterval"/>.
/// </summary>
[GrainType("reaper")]
public sealed partial class ReaperGrain(
    IReaperSchedule schedule,
    IMachines machines,
    IOptions<ReaperOptions> options,
    Telemetry.SessionMetrics metrics,
    [FromKeyedServices(SessionClock.Key)] TimeProvider time,
    ILogger<ReaperGrain> logger) : Grain, IReaperGrain, IRemindable
{
    private const string ReminderName = "sweep";

    /// <summary>A sweep that checked nothing is logged only when it took this long (an empty one is one Redis read).</summary>
    private static readonly TimeSpan SlowSweep = TimeSpan.FromMilliseconds(100);

    /// <summary>Orleans' shortest reminder period: the backstop, not the pace.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? timer;
    private DateTimeOffset nextReconcile;

    /// <summary>
    /// When reconciliation first saw each tagged machine. An orphan's age is counted from here, on this node's
    /// clock, not from Fly's created_at: clocks differ, and a restarted reaper only waits longer, never less.
    /// </summary>
    private Dictionary<string, DateTimeOffset> firstSeen = [];

    private int Shard => (int)this.GetPrimaryKeyLong();
    private ReaperOptions Options => options.Value;

    async Task IReaperGrain.WakeAsync()
    {
        if (timer is not null) return;
        if (await this.GetReminder(ReminderName) is null)
            await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
        StartTimer();
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        StartTimer();
        return Task.CompletedTask;
    }

    private void StartTimer()
    {
        if (timer is not null) return;
        nextReconcile = time.GetUtcNow() + Options.ReconcileInterval;
        timer = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(Options.SweepInterval, Options.SweepInterval) { KeepAlive = true });
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SweepAsync();
            if (Shard == 0 && time.GetUtcNow() >= nextReconcile)
            {
                nextReconcile = time.GetUtcNow() + Options.ReconcileInterval;
                await ReconcileAsync();
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Redis or Fly trouble: this tick is lost, the next one tries again. The schedule is untouched.
            LogSweepFailed(e, Shard);
        }
    }

    /// <summary>
    /// Checks what is due, a page at a time, until nothing is (a checked session moves its own entry on) or the
    /// sweep has taken a whole interval: then the next sweep goes on, and a backlog never stops the timer.
    /// </summary>
    public async Task<SweepReport> SweepAsync()
    {
        var took = System.Diagnostics.Stopwatch.StartNew();
        int due = 0, failed = 0;
        while (true)
        {
            var page = await schedule.DueAsync(Shard, time.GetUtcNow(), Options.SweepBatch);
            var pageFailed = 0;
            foreach (var group in page.Chunk(Options.SweepParallelism))
                pageFailed += (await Task.WhenAll(group.Select(CheckAsync))).Count(ok => !ok);
            due += page.Count;
            failed += pageFailed;
            // A short page was everything; a page that failed whole would only come back the same.
            if (page.Count < Options.SweepBatch || pageFailed == page.Count || took.Elapsed >= Options.SweepInterval) break;
        }
        if (due > 0 || took.Elapsed >= SlowSweep) LogSwept(Shard, due, due - failed, failed, took.ElapsedMilliseconds);
        return new SweepReport(due, failed);
    }

    /// <summary>A session that could not be checked keeps its entry, so the next sweep asks again.</summary>
    private async Task<bool> CheckAsync(string sessionId)
    {
        try
        {
            await GrainFactory.GetGrain<ISessionUpkeepGrain>(sessionId).CheckAsync();
            return true;
        }
        catch (Exception e)
        {
            LogCheckFailed(e, Shard, sessionId);
            return false;
        }
    }

    public async Task<ReconcileReport> ReconcileAsync()
    {
        var took = System.Diagnostics.Stopwatch.StartNew();
        var tagged = await machines.ListTaggedAsync();
        var listed = took.ElapsedMilliseconds;
        var now = time.GetUtcNow();
        firstSeen = tagged.ToDictionary(m => m.MachineId, m => firstSeen.GetValueOrDefault(m.MachineId, now));
        var verdicts = new List<MachineVerdict>();
        foreach (var group in tagged.Chunk(Options.SweepParallelism))
            verdicts.AddRange(await Task.WhenAll(group.Select(m => m.SessionId is { } session
                ? GrainFactory.GetGrain<ISessionUpkeepGrain>(session).ReconcileAsync(m.App, m.MachineId, now - firstSeen[m.MachineId])
                : GrainFactory.GetGrain<Pool.IMachinePoolGrain>(m.Pool!).ReconcileAsync(m.App, m.MachineId, now - firstSeen[m.MachineId]))));
        metrics.Reconciled(verdicts);
        var report = new ReconcileReport(tagged.Count, verdicts.Count(v => v == MachineVerdict.Destroyed), verdicts.Count(v => v == MachineVerdict.Adopted));
        LogReconciled(report.Tagged, listed, took.ElapsedMilliseconds);
        if (report.Destroyed + report.Adopted > 0)
            LogReconcileActed(report.Tagged, report.Destroyed, report.Adopted);
        return report;
    }

    // The reaper's cost, for operators and the benchmarks (tests/AgentCluster.Benchmarks parses these two lines):
    // Debug, so a production node pays nothing unless the category is turned up.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Reaper shard {Shard} swept: {Due} due, {Checked} checked, {Failed} failed, in {ElapsedMs} ms")]
    private partial void LogSwept(int shard, int due, int @checked, int failed, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reaper reconciled {Tagged} tagged machines: listed in {ListedMs} ms, done in {ElapsedMs} ms")]
    private partial void LogReconciled(int tagged, long listedMs, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled {Tagged} tagged machines: {Destroyed} destroyed, {Adopted} adopted")]
    private partial void LogReconcileActed(int tagged, int destroyed, int adopted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reaper shard {Shard}: sweep failed; retrying next tick")]
    private partial void LogSweepFailed(Exception e, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reaper shard {Shard}: session {SessionId} could not be checked")]
    private partial void LogCheckFailed(Exception e, int shard, string sessionId);
}

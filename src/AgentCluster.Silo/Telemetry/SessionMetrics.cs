using System.Diagnostics.Metrics;
using AgentCluster.Silo.Reaping;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Telemetry;

/// <summary>
/// The node's instruments on the <c>AgentCluster</c> meter, for an operator of many sessions: how many are in
/// each status, how they end, machines made and destroyed, the reaper's work, agents' heartbeat gaps, events,
/// live SSE watchers and machine time. Named after OpenTelemetry's conventions (dotted names, UCUM units).
/// Tags are few-valued by design: a status, a reason, a region, a guest size, an event type; never a
/// session or machine id (one series per session would swamp any metrics store), never a secret.
/// </summary>
public sealed class SessionMetrics
{
    /// <summary>The meter's name, also used by the Fly client's instruments (AgentCluster.Fly) and registered with OpenTelemetry.</summary>
    public const string MeterName = "AgentCluster";

    private readonly UpDownCounter<long> sessions;
    private readonly Counter<long> terminated;
    private readonly Counter<long> machinesCreated;
    private readonly Counter<long> machinesDestroyed;
    private readonly Counter<long> machinesFailed;
    private readonly Counter<long> expirations;
    private readonly Counter<long> reconciliations;
    private readonly Counter<long> reconciledMachines;
    private readonly Histogram<double> heartbeatInterval;
    private readonly Counter<long> events;
    private readonly UpDownCounter<long> watchers;
    private readonly Counter<double> machineTime;
    private readonly Counter<long> modelTokens;

    public SessionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        sessions = meter.CreateUpDownCounter<long>("agentcluster.sessions", "{session}",
            "Live sessions by status, counted on the node whose activation holds each; summed over nodes, the sessions in each status.");
        terminated = meter.CreateCounter<long>("agentcluster.sessions.terminated", "{session}", "Sessions that ended, by reason.");
        machinesCreated = meter.CreateCounter<long>("agentcluster.machines.created", "{machine}", "Machines created for sessions, by region and guest size.");
        machinesDestroyed = meter.CreateCounter<long>("agentcluster.machines.destroyed", "{machine}", "Machines destroyed (sessions ended, orphans reconciled), by region and guest size.");
        machinesFailed = meter.CreateCounter<long>("agentcluster.machines.failed", "{machine}", "Machine creates Fly refused or did not answer, by region and guest size.");
        expirations = meter.CreateCounter<long>("agentcluster.reaper.expirations", "{session}",
            "Sessions expired because their agent stopped calling in: phase boot (never called in within the boot grace) or heartbeat (silent for the TTL).");
        reconciliations = meter.CreateCounter<long>("agentcluster.reaper.reconciliations", "{reconciliation}", "Reconciliation passes over the app's tagged machines.");
        reconciledMachines = meter.CreateCounter<long>("agentcluster.reaper.reconciled_machines", "{machine}",
            "Tagged machines a reconciliation looked at, by verdict (kept, spared, adopted, destroyed).");
        // The gap between an agent's calls (heartbeats, event pushes, polls), rather than lateness past a deadline:
        // the reaper expires a session whose gap exceeds Sessions:HeartbeatTtl, so this distribution against the
        // TTL (10 s beats, 30 s TTL by default) shows how close live agents come to being reaped, and a tail
        // creeping up says network or agent trouble before sessions start expiring. Lateness would be zero for
        // almost every beat and say nothing until it is too late.
        heartbeatInterval = meter.CreateHistogram<double>("agentcluster.agent.heartbeat.interval", "s",
            "Seconds between an agent's calls to its session (heartbeats, events, polls).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 12, 15, 20, 25, 30, 45, 60, 120] });
        events = meter.CreateCounter<long>("agentcluster.session.events", "{event}", "Events appended to session logs, by event type; its rate is events per second.");
        watchers = meter.CreateUpDownCounter<long>("agentcluster.sse.watchers", "{watcher}", "Open Server-Sent Events streams of session events.");
        machineTime = meter.CreateCounter<double>("agentcluster.machine.time", "s",
            "Machine-seconds of session machines running (created or started until stopped or destroyed), by guest size.");
        modelTokens = meter.CreateCounter<long>("agentcluster.model.tokens", "{token}",
            "Tokens of the model calls the sessions' model gateway relayed, by model family and token type (input, output, cache_creation, cache_read).");
    }

    /// <summary>One session left <paramref name="from"/> for <paramref name="to"/> (null: not counted, i.e. not live here).</summary>
    public void StatusMoved(string? from, string? to)
    {
        if (from == to) return;
        if (from is not null) sessions.Add(-1, new KeyValuePair<string, object?>("status", from));
        if (to is not null) sessions.Add(1, new KeyValuePair<string, object?>("status", to));
    }

    public void Terminated(string reason) => terminated.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void MachineCreated(string? region, string guestSize) => machinesCreated.Add(1, Machine(region, guestSize));

    public void MachineDestroyed(string? region, string guestSize) => machinesDestroyed.Add(1, Machine(region, guestSize));

    public void MachineFailed(string? region, string guestSize) => machinesFailed.Add(1, Machine(region, guestSize));

    public void Expired(bool agentSeen) => expirations.Add(1, new KeyValuePair<string, object?>("phase", agentSeen ? "heartbeat" : "boot"));

    public void Reconciled(IEnumerable<MachineVerdict> verdicts)
    {
        reconciliations.Add(1);
        foreach (var group in verdicts.GroupBy(v => v))
            reconciledMachines.Add(group.Count(), new KeyValuePair<string, object?>("verdict", group.Key.ToString().ToLowerInvariant()));
    }

    public void HeartbeatGap(TimeSpan gap) => heartbeatInterval.Record(gap.TotalSeconds);

    public void EventAppended(string type) => events.Add(1, new KeyValuePair<string, object?>("event.type", type));

    public void WatcherOpened() => watchers.Add(1);

    public void WatcherClosed() => watchers.Add(-1);

    public void MachineRan(string guestSize, TimeSpan running)
    {
        if (running > TimeSpan.Zero) machineTime.Add(running.TotalSeconds, new KeyValuePair<string, object?>("machine.guest", guestSize));
    }

    /// <param name="model">The model's family in the price table (a dated id counts under its family); null: <c>other</c>, so that no caller can mint series.</param>
    public void ModelTokens(string? model, Abstractions.Sessions.TokenUsage usage)
    {
        var family = model ?? "other";
        foreach (var (type, count) in new[]
                 {
                     ("input", usage.InputTokens), ("output", usage.OutputTokens),
                     ("cache_creation", usage.CacheCreationInputTokens), ("cache_read", usage.CacheReadInputTokens),
                 })
            if (count > 0) modelTokens.Add(count, new KeyValuePair<string, object?>("model", family), new KeyValuePair<string, object?>("token.type", type));
    }

    private static System.Diagnostics.TagList Machine(string? region, string guestSize) => new()
    {
        { "cloud.region", region ?? "unknown" },
        { "machine.guest", guestSize },
    };
}

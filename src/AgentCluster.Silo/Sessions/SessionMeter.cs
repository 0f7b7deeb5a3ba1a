using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;
using AgentCluster.Silo.Telemetry;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The node's metrics for one session activation: its status in agentcluster.sessions, its machine time and its
/// agent's heartbeat gaps. In memory only: each activation adds exactly what it later takes away, so the sum over
/// nodes is the live sessions per status, and a crash loses at most the machine time since the last report.
/// </summary>
internal sealed class SessionMeter(SessionMetrics metrics)
{
    private SessionStatus? counted;
    private DateTimeOffset? meteredUntil;
    private DateTimeOffset? lastCallIn;

    /// <summary>After every change: the session is counted under its status now, and a machine that started or stopped is metered.</summary>
    public void Changed(Session session, DateTimeOffset now)
    {
        var live = session.Started && !session.Terminated ? session.State.Status : null;
        if (live != counted) metrics.StatusMoved(counted?.Name(), live?.Name());
        counted = live;
        if ((session.State.RunningSince is not null) != (meteredUntil is not null)) ReportMachineTime(session, now);
    }

    /// <summary>Adds the machine's running time since the last report to agentcluster.machine.time.</summary>
    public void ReportMachineTime(Session session, DateTimeOffset now)
    {
        if (meteredUntil is { } from) metrics.MachineRan(GuestSizes.Name(session.Guest), now - from);
        meteredUntil = session.State.RunningSince is null ? null : now;
    }

    /// <summary>The activation ends: its machine time so far is reported and its status no longer counted here.</summary>
    public void Deactivated(Session session, DateTimeOffset now)
    {
        ReportMachineTime(session, now);
        metrics.StatusMoved(counted?.Name(), null);
        counted = null;
    }

    /// <summary>The agent called in: the gap since its last call goes to agentcluster.agent.heartbeat.interval.</summary>
    public void CalledIn(DateTimeOffset now)
    {
        if (lastCallIn is { } last) metrics.HeartbeatGap(now - last);
        lastCallIn = now;
    }

    /// <summary>A new agent process (a machine made or started): the gap across its start says nothing about heartbeats.</summary>
    public void NewAgent() => lastCallIn = null;
}

using AgentCluster.Silo.Options;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// Whether the session's agent is alive and working: its heartbeat deadline (the boot grace, then the TTL) and
/// the stall clock of the turn it runs. In memory only, so that a heartbeat costs no storage write. A new
/// activation (after a node loss, say) restarts them with a full grace: a session is never reaped early because
/// its node changed.
/// </summary>
public sealed class AgentLiveness(AgentSessionOptions options)
{
    /// <summary>The agent is reaped past this: the boot grace before it first calls in, then the heartbeat TTL.</summary>
    public DateTimeOffset HeartbeatDeadline { get; private set; }

    private DateTimeOffset lastAgentEvent;

    /// <summary>When the running turn was said to be silent, if it has been.</summary>
    public DateTimeOffset? StallWarnedAt { get; private set; }

    /// <summary>A fresh activation: the agent, seen before or not, gets its full grace from now.</summary>
    public void Restart(DateTimeOffset now, bool agentSeen)
    {
        HeartbeatDeadline = now + (agentSeen ? options.HeartbeatTtl : options.BootGrace);
        lastAgentEvent = now;
        StallWarnedAt = null;
    }

    /// <summary>A machine was made, adopted or started: its agent has the boot grace to call in.</summary>
    public void Booting(DateTimeOffset now) => HeartbeatDeadline = now + options.BootGrace;

    /// <summary>The agent called (any call): it is alive for another TTL.</summary>
    public void CalledIn(DateTimeOffset now) => HeartbeatDeadline = now + options.HeartbeatTtl;

    /// <summary>The agent said something about its turn (or took one): it is not stalled.</summary>
    public void Spoke(DateTimeOffset now)
    {
        lastAgentEvent = now;
        StallWarnedAt = null;
    }

    /// <summary>Guarantee: an agent that stops calling in is reaped once its deadline passes.</summary>
    public bool Expired(DateTimeOffset now) => now >= HeartbeatDeadline;

    /// <summary>When the running turn's stall rule next needs looking at: the warning, then the end of its grace.</summary>
    public DateTimeOffset StallCheckAt => StallWarnedAt is { } warned ? warned + options.StallGrace : lastAgentEvent + options.StallTimeout;

    /// <summary>
    /// Guarantee: a turn whose agent says nothing for the stall timeout is warned about, and fails a grace later
    /// unless the agent speaks meanwhile.
    /// </summary>
    public StallStep Stall(DateTimeOffset now)
    {
        if (StallWarnedAt is null)
        {
            if (now < lastAgentEvent + options.StallTimeout) return StallStep.None;
            StallWarnedAt = now;
            return StallStep.Warn;
        }
        if (now < StallWarnedAt + options.StallGrace) return StallStep.None;
        StallWarnedAt = null;
        return StallStep.Fail;
    }

    /// <summary>How long the agent has said nothing.</summary>
    public TimeSpan SilentFor(DateTimeOffset now) => now - lastAgentEvent;
}

public enum StallStep
{
    None,

    /// <summary>Silent for the stall timeout: say so, with when the turn fails.</summary>
    Warn,

    /// <summary>Still silent a grace after the warning: the turn fails.</summary>
    Fail,
}

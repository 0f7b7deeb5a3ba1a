using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using System.Text.RegularExpressions;

namespace AgentCluster.Silo.Options;

/// <summary>How sessions run their agents (section <c>Sessions</c>; FLY_AGENT_IMAGE and FLY_REGION as users know them).</summary>
public sealed partial class AgentSessionOptions
{
    public const string Section = "Sessions";

    /// <summary>The agent machine's image (FLY_AGENT_IMAGE). The emulator runs AgentCluster.Agent for any image.</summary>
    public string AgentImage { get; set; } = "registry.fly.io/agentcluster-agent:latest";

    /// <summary>Where machines go when a request names no region (FLY_REGION).</summary>
    public string Region { get; set; } = "iad";

    /// <summary>
    /// The runtime of a session whose request and preset name none. Null: <c>claude-code</c> when the node has a
    /// model key (ANTHROPIC_API_KEY) or the request brings one, else <c>shell</c>.
    /// </summary>
    public string? DefaultRuntime { get; set; }

    /// <param name="modelKey">The node has a model key, or the request brings one.</param>
    public string RuntimeFor(bool modelKey) => DefaultRuntime ?? (modelKey ? AgentRuntimes.ClaudeCode : AgentRuntimes.Shell);

    /// <summary>Runtimes a request may name; the agent image must have them.</summary>
    public List<string> Runtimes { get; set; } = [AgentRuntimes.Shell, AgentRuntimes.ClaudeCode, AgentRuntimes.Anthropic];

    public string CpuKind { get; set; } = "shared";
    public int Cpus { get; set; } = 1;
    public int MemoryMb { get; set; } = 1024;

    /// <summary>The machine a session asks for (null: nothing), completed with these defaults.</summary>
    public GuestSpec GuestFor(GuestSpec? requested) => new()
    {
        CpuKind = requested?.CpuKind ?? CpuKind,
        Cpus = requested?.Cpus ?? Cpus,
        MemoryMb = requested?.MemoryMb ?? MemoryMb,
    };

    /// <summary>
    /// Base URLs the agent calls back (AGENTCLUSTER_CALLBACK_URLS, comma-separated), e.g. every node's
    /// <c>http://[6pn]:8080</c> or a Flycast address. Empty: this node's own HTTP address.
    /// </summary>
    public List<string> CallbackUrls { get; set; } = [];

    /// <summary>The variable that sets <see cref="CallbackUrls"/>, comma-separated.</summary>
    public const string CallbackUrlsVariable = "AGENTCLUSTER_CALLBACK_URLS";

    /// <summary>How often the agent heartbeats when quiet.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A session whose agent has not called for this long is expired (the reaper acts on it).</summary>
    public TimeSpan HeartbeatTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a new machine may take to boot before its first heartbeat is due: no reaping a booting agent.</summary>
    public TimeSpan BootGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long an agent may say nothing inside a turn (heartbeats aside) before the session warns; the turn
    /// fails <see cref="StallGrace"/> later. Long enough for a quiet build or test run.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Between the stall warning and the turn's failure: time for the agent to speak up.</summary>
    public TimeSpan StallGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>With no turn to run for this long, the machine is suspended, or stopped (status <c>sleeping</c>); a message starts it again.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Asleep for this long, the session terminates (reason <c>idle</c>) and its machine is destroyed.</summary>
    public TimeSpan RetentionTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long the agent keeps running with no orchestrator answering.</summary>
    public TimeSpan AgentOrphanTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The port of the agent's control server on its machine's private address (exec, files, archives: see
    /// ControlProtocol), handed to every agent in its env.
    /// </summary>
    public int AgentControlPort { get; set; } = AgentCluster.Abstractions.Control.ControlProtocol.DefaultPort;

    /// <summary>How often an idle event stream gets a comment line, so proxies do not close it.</summary>
    public TimeSpan SseKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a machine create may take, Retry-After waits included, before the session looks for the machine
    /// it may have made and otherwise answers 503 (retry with the same session_id). Under Orleans' 30 s call timeout.
    /// </summary>
    public TimeSpan MachineCreateTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a session may wait for its machine when Fly's create budget is spent (it is queued, in arrival order)
    /// before it fails: long enough for any burst the budget can serve, short enough that a Fly outage is reported.
    /// </summary>
    public TimeSpan MachineQueueTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Turns queued and not yet done, per session.</summary>
    public int MaxQueuedTurns { get; set; } = 100;

    /// <summary>The longest prompt or message, in characters (the request body limit, FrontDoor:MaxRequestBodyBytes, caps it too).</summary>
    public int MaxContentLength { get; set; } = 100_000;

    /// <summary>
    /// The budget of machine-seconds of a session whose request and preset set none (Cost/MachineBudget); null
    /// (the default): no budget, the session runs until it ends otherwise.
    /// </summary>
    public long? MaxMachineSeconds { get; set; }

    /// <summary>
    /// The wall-clock limit of a turn whose request and preset set none (max_turn_seconds, see
    /// Sessions/Rules/TurnTimeLimit); null (the default): none.
    /// </summary>
    public long? MaxTurnSeconds { get; set; }

    /// <summary>How long an agent has to end a turn its time limit interrupted before the session ends it (<c>timeout</c>).</summary>
    public TimeSpan TurnTimeoutGrace { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(AgentImage)) yield return "FLY_AGENT_IMAGE (Sessions:AgentImage) must not be empty.";
        if (!RegionPattern().IsMatch(Region)) yield return $"FLY_REGION '{Region}' is not a region code like 'iad'.";
        if (DefaultRuntime is not null && !Runtimes.Contains(DefaultRuntime)) yield return $"Sessions:DefaultRuntime '{DefaultRuntime}' is not one of Sessions:Runtimes.";
        foreach (var url in CallbackUrls)
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                yield return $"AGENTCLUSTER_CALLBACK_URLS: '{url}' is not an absolute http(s) URL.";
        if (HeartbeatInterval <= TimeSpan.Zero) yield return "Sessions:HeartbeatInterval must be positive.";
        if (HeartbeatTtl <= HeartbeatInterval * 2) yield return "Sessions:HeartbeatTtl must be more than twice the heartbeat interval.";
        if (BootGrace <= TimeSpan.Zero) yield return "Sessions:BootGrace must be positive.";
        if (AgentOrphanTimeout <= HeartbeatTtl) yield return "Sessions:AgentOrphanTimeout must exceed Sessions:HeartbeatTtl.";
        if (StallTimeout <= TimeSpan.Zero) yield return "Sessions:StallTimeout must be positive.";
        if (StallGrace <= TimeSpan.Zero) yield return "Sessions:StallGrace must be positive.";
        if (IdleTimeout <= TimeSpan.Zero) yield return "Sessions:IdleTimeout must be positive.";
        if (RetentionTimeout <= TimeSpan.Zero) yield return "Sessions:RetentionTimeout must be positive.";
        if (SseKeepAlive <= TimeSpan.Zero) yield return "Sessions:SseKeepAlive must be positive.";
        if (AgentControlPort is < 1 or > 65535) yield return "Sessions:AgentControlPort must be a port number (1-65535).";
        if (MaxQueuedTurns < 1) yield return "Sessions:MaxQueuedTurns must be at least 1.";
        if (MachineCreateTimeout <= TimeSpan.Zero || MachineCreateTimeout > TimeSpan.FromSeconds(20))
            yield return "Sessions:MachineCreateTimeout must be positive and at most 20 s (a session call times out at 30 s).";
        if (MachineQueueTimeout <= TimeSpan.Zero) yield return "Sessions:MachineQueueTimeout must be positive.";
        if (MaxContentLength < 1) yield return "Sessions:MaxContentLength must be at least 1.";
        if (Cost.MachineBudget.Problem(MaxMachineSeconds, "Sessions:MaxMachineSeconds") is { } budget) yield return budget;
        if (Sessions.TurnTimeLimit.Problem(MaxTurnSeconds, "Sessions:MaxTurnSeconds") is { } turnLimit) yield return turnLimit;
        if (TurnTimeoutGrace <= TimeSpan.Zero) yield return "Sessions:TurnTimeoutGrace must be positive.";
    }

    [GeneratedRegex("^[a-z]{3}$")]
    private static partial Regex RegionPattern();
}

namespace AgentCluster.Silo.Options;

/// <summary>How the node delivers webhooks (section <c>Webhooks</c>), checked when the node starts.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How long one delivery attempt may take, connect to last byte, before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The wait before each retry of a failed delivery (the first attempt is immediate); after the last one the
    /// delivery is given up. Empty: <see cref="DefaultRetryDelays"/>. (Not a list with defaults in it: configuration
    /// binding adds to a list, it does not replace it.)
    /// </summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>Standard Webhooks' (Svix's) schedule: about 27.6 h in all, so a receiver that is down for a day still gets everything.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>The retry delays in force.</summary>
    public IReadOnlyList<TimeSpan> Delays => RetryDelays.Count > 0 ? RetryDelays : DefaultRetryDelays;

    /// <summary>Each retry delay is spread by up to this fraction either way, so that retries after an outage do not all come at once.</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>Deliveries a subscription may have waiting; beyond it the oldest are given up (a receiver gone for good must not grow the state without end).</summary>
    public int MaxQueued { get; set; } = 10_000;

    /// <summary>Subscriptions one owner (API key) may have.</summary>
    public int MaxPerOwner { get; set; } = 20;

    /// <summary>
    /// Targets allowed although their address is loopback, private or link-local: host names (matched
    /// case-insensitively) or address ranges in CIDR notation (<c>10.1.0.0/16</c>, <c>fdaa::/16</c>).
    /// </summary>
    public List<string> AllowedTargets { get; set; } = [];

    /// <summary>The longest time a due retry waits when its subscription's grain is not active (its reminder's period, at least Orleans' one minute).</summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often an owner's grain, while it has subscriptions, sweeps its recent sessions for events whose poke was
    /// lost (the node died between a session's append and its poke): a grain timer, with the reminder
    /// (<see cref="ReminderPeriod"/>) bringing it back after its node is gone.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far back the sweep looks: sessions made within it. At most <see cref="Webhooks.WebhookQueue.EndedCursorKept"/>,
    /// so every swept session a subscription has finished reading still has its cursor there (no event is queued twice).
    /// </summary>
    public TimeSpan SweepWindow { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Catalog entries one sweep reads at most; the next sweep goes on from there (a busy owner is swept over several ticks).</summary>
    public int SweepBatch { get; set; } = 500;

    /// <summary>
    /// Tests only: sessions' pokes are dropped at the owner's grain, as if the node died after every append, so only
    /// the sweep finds their events. Never set it in production.
    /// </summary>
    public bool DropPokes { get; set; }

    /// <summary>The whole retry schedule: how long a delivery is tried before it is given up.</summary>
    public TimeSpan RetryWindow => Delays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d);

    public IEnumerable<string> Validate()
    {
        if (AttemptTimeout <= TimeSpan.Zero || AttemptTimeout > TimeSpan.FromMinutes(5)) yield return "Webhooks:AttemptTimeout must be positive and at most 5 minutes.";
        if (RetryDelays.Any(d => d <= TimeSpan.Zero)) yield return "Webhooks:RetryDelays must all be positive.";
        if (Jitter is < 0 or >= 1) yield return "Webhooks:Jitter must be at least 0 and less than 1.";
        if (MaxQueued < 1) yield return "Webhooks:MaxQueued must be at least 1.";
        if (MaxPerOwner < 1) yield return "Webhooks:MaxPerOwner must be at least 1.";
        if (ReminderPeriod < TimeSpan.FromMinutes(1)) yield return "Webhooks:ReminderPeriod must be at least 1 minute (Orleans' shortest reminder).";
        if (SweepInterval <= TimeSpan.Zero) yield return "Webhooks:SweepInterval must be positive.";
        if (SweepWindow <= TimeSpan.Zero || SweepWindow > Webhooks.WebhookQueue.EndedCursorKept)
            yield return $"Webhooks:SweepWindow must be positive and at most {Webhooks.WebhookQueue.EndedCursorKept} (how long a finished session's cursor is kept).";
        if (SweepBatch < 1) yield return "Webhooks:SweepBatch must be at least 1.";
        foreach (var target in AllowedTargets)
            if (!Webhooks.WebhookAddressPolicy.IsValidAllowEntry(target)) yield return $"Webhooks:AllowedTargets: '{target}' is neither a host name nor an address range (CIDR).";
    }
}

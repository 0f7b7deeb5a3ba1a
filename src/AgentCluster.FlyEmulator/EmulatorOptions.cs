using AgentCluster.FlyEmulator.Processes;

namespace AgentCluster.FlyEmulator;

/// <summary>Configuration of the local Machines API (section <c>FlyEmulator</c>).</summary>
public sealed class EmulatorOptions
{
    public const string Section = "FlyEmulator";

    /// <summary>When set, only this token is accepted (anything else: 401). When empty, any token is, but one is required.</summary>
    public string? ApiToken { get; set; }

    public string OrgSlug { get; set; } = "personal";

    /// <summary>The region machines land in when the request names none.</summary>
    public string Region { get; set; } = "iad";

    /// <summary>Where machines get their root filesystems and logs. Default: a fresh folder under the temp directory.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Image reference → what runs when <c>config.init.exec</c> is absent. Keys are patterns with '*' wildcards;
    /// the longest matching pattern wins. By default every image runs AgentCluster.Agent from the local build.
    /// </summary>
    public Dictionary<string, ImageCommand> Images { get; set; } = new();

    /// <summary>
    /// False: machines go through the whole state machine (boot delay, start, stop, suspend, destroy, events)
    /// but run no process. For load tests, where thousands of machines cannot each be a process, and the
    /// harness plays the agents itself (it reads their environment from the machine's config, as an agent would).
    /// </summary>
    public bool RunProcesses { get; set; } = true;

    /// <summary>
    /// The user a root emulator runs machines as (default <c>nobody</c>): what an agent runs then cannot read the
    /// node's processes (the model key in their environment) nor write its files. <c>root</c> or empty runs them
    /// as root, like the emulator. A non-root emulator runs them as its own user whatever this says.
    /// </summary>
    public string? RunAs { get; set; } = MachineUser.Default;

    /// <summary>How long a new machine sits in <c>created</c> before it boots (Fly: a few seconds while the image is prepared).</summary>
    public TimeSpan BootDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long a start of a <c>suspended</c> machine stays <c>starting</c> before its frozen processes carry on
    /// (Fly: a few hundred ms to restore the snapshot, against <see cref="BootDelay"/> and a process start for a cold one).
    /// </summary>
    public TimeSpan ResumeDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long a suspend stays <c>suspending</c> (Fly: writing the memory snapshot, longer the more memory).</summary>
    public TimeSpan SuspendDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long a destroyed machine still reads as <c>destroyed</c> before it is 404.</summary>
    public TimeSpan DestroyedRetention { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Fly's published Machines API rate limits, with 429 + Retry-After. Off by default for speed.</summary>
    public bool RateLimits { get; set; }

    /// <summary>Injected failures, switchable at run time through <c>PUT /_emulator/faults</c>.</summary>
    public List<FaultRule> Faults { get; set; } = [];

    /// <summary>Events kept per machine, newest first (Fly keeps 20).</summary>
    public int EventsKept { get; set; } = 20;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Region)) yield return "FlyEmulator:Region must not be empty.";
        if (BootDelay < TimeSpan.Zero) yield return "FlyEmulator:BootDelay must not be negative.";
        if (ResumeDelay < TimeSpan.Zero) yield return "FlyEmulator:ResumeDelay must not be negative.";
        if (SuspendDelay < TimeSpan.Zero) yield return "FlyEmulator:SuspendDelay must not be negative.";
        if (DestroyedRetention < TimeSpan.Zero) yield return "FlyEmulator:DestroyedRetention must not be negative.";
        if (EventsKept is < 1 or > 50) yield return "FlyEmulator:EventsKept must be between 1 and 50.";
        if (Environment.IsPrivilegedProcess && RunAs is { Length: > 0 } user && user != "root" && MachineUser.Find(user) is null)
            yield return $"FlyEmulator:RunAs: there is no user '{user}' on this host.";
        foreach (var (pattern, image) in Images)
            if (image.Entrypoint.Count == 0 && image.Cmd.Count == 0)
                yield return $"FlyEmulator:Images:{pattern} needs an Entrypoint or a Cmd.";
        foreach (var fault in Faults)
            foreach (var problem in fault.Validate()) yield return problem;
    }
}

/// <summary>What an image runs, as Docker would: entrypoint then cmd, each overridable by <c>config.init</c>.</summary>
public sealed class ImageCommand
{
    public List<string> Entrypoint { get; set; } = [];
    public List<string> Cmd { get; set; } = [];
}

/// <summary>
/// Failures injected into matching requests: a share of 5xx answers, a share of 429s (with
/// <see cref="RetryAfter"/>), added latency before the request is handled, and a delay after it was handled
/// before the answer goes out (<see cref="ResponseDelay"/>: the action happened, but a client with a shorter
/// timeout never hears of it). <see cref="Action"/> is an endpoint's action name (see <c>FlyAction</c>) or "*".
/// </summary>
public sealed class FaultRule
{
    public string Action { get; set; } = "*";
    public double ServerErrorRate { get; set; }
    public int ServerErrorStatus { get; set; } = 503;
    public double RateLimitRate { get; set; }
    public TimeSpan Latency { get; set; }

    /// <summary>What an injected 429 asks the client to wait (its <c>Retry-After</c>, in whole seconds).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Held after the request was carried out, before its answer is sent.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>When set, the rule injects at most this many errors, then stops (for deterministic tests).</summary>
    public int? MaxErrors { get; set; }

    public IEnumerable<string> Validate()
    {
        if (ServerErrorRate is < 0 or > 1 || RateLimitRate is < 0 or > 1 || ServerErrorRate + RateLimitRate > 1)
            yield return $"Fault rule '{Action}': rates must be between 0 and 1 and add up to at most 1.";
        if (ServerErrorStatus is < 500 or > 599) yield return $"Fault rule '{Action}': ServerErrorStatus must be a 5xx status.";
        if (Latency < TimeSpan.Zero || Latency > TimeSpan.FromMinutes(1)) yield return $"Fault rule '{Action}': Latency must be between 0 and 1 minute.";
        if (ResponseDelay < TimeSpan.Zero || ResponseDelay > TimeSpan.FromMinutes(2)) yield return $"Fault rule '{Action}': ResponseDelay must be between 0 and 2 minutes.";
        if (RetryAfter < TimeSpan.FromSeconds(1) || RetryAfter > TimeSpan.FromHours(1)) yield return $"Fault rule '{Action}': RetryAfter must be between 1 s and 1 hour.";
        if (MaxErrors < 0) yield return $"Fault rule '{Action}': MaxErrors must not be negative.";
    }
}

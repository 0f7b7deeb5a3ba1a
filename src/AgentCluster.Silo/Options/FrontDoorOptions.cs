namespace AgentCluster.Silo.Options;

/// <summary>
/// How much a request may carry (section <c>FrontDoor</c>). Larger bodies get 413 before they are read into
/// memory. The agent's limit is larger: a batch holds up to 100 output chunks of 16 KiB, which JSON escaping
/// can grow several times.
/// </summary>
public sealed class FrontDoorOptions
{
    public const string Section = "FrontDoor";

    /// <summary>The body of a public call (<c>/sessions</c>): a prompt, a message, env and metadata.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The body of an agent call (<c>/agent/…</c>): an event batch.</summary>
    public long MaxAgentRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The body of a file or archive written into a session's workspace (<c>PUT /sessions/{id}/files/…</c>, <c>…/archive</c>), streamed.</summary>
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>How long an exec or a file call waits for the session's machine to be up (a session starting, waking, or queued for a create).</summary>
    public TimeSpan MachineWaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<string> Validate()
    {
        if (MaxFileBytes < 1024 * 1024) yield return "FrontDoor:MaxFileBytes must be at least 1 MiB.";
        if (MachineWaitTimeout <= TimeSpan.Zero) yield return "FrontDoor:MachineWaitTimeout must be positive.";
        if (MaxRequestBodyBytes < 4096) yield return "FrontDoor:MaxRequestBodyBytes must be at least 4096.";
        if (MaxAgentRequestBodyBytes < 1024 * 1024) yield return "FrontDoor:MaxAgentRequestBodyBytes must be at least 1 MiB (an agent's batch).";
    }
}

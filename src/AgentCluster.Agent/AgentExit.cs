namespace AgentCluster.Agent;

/// <summary>
/// A reason for the agent process to end, with the exit code the machine reports: thrown from wherever it is
/// discovered (a config check, an HTTP answer, the orphan watch) and turned into the exit code by the host.
/// </summary>
internal sealed class AgentExit(int exitCode, string reason) : Exception(reason)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The session is over (410, or an ack saying terminated): the agent's job is done, not a failure.</summary>
    public static AgentExit SessionEnded(string how) => new(0, $"session is over ({how})");

    /// <summary>The pool no longer wants this machine (410 to its claim poll): it will be destroyed, which is no failure.</summary>
    public static AgentExit LeftPool(string how) => new(0, $"the machine left the pool ({how})");

    /// <summary>Exit 2: retrying cannot fix a bad configuration or a token the orchestrator refuses.</summary>
    public static AgentExit Misconfigured(string reason) => new(2, reason);

    /// <summary>Exit 3: nobody is there to stop this machine, so it stops itself rather than run (and bill) forever.</summary>
    public static AgentExit Orphaned(TimeSpan silence) =>
        new(3, $"orphaned: no orchestrator answered for {silence.TotalSeconds:0.#} s");
}

using System.Text.Json;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent;

/// <summary>
/// A pool machine's wait for the session that claims it: long polls of <see cref="AgentProtocol.PoolClaimPath"/> with
/// the pool credential, over the orchestrator URLs with failover (<see cref="NodeCalls"/>), one after another with no
/// pause, until one answers with the claim. The first goes out at once: it is how the pool learns that the agent is
/// ready, and the pool suspends the machine right after, so that a poll is in flight, frozen, for as long as the
/// machine waits. When the session's claim resumes it, that poll is answered (the node held it), or it fails or has
/// timed out (the node answered it, or dropped it, while the machine slept): the next goes out at once, since the
/// freeze counts as the backoff's wait. No orphan timeout: a pool machine waits as long as the pool keeps it, and the
/// pool destroys it when it is not wanted.
/// </summary>
internal sealed class PoolClaimWait(AgentConfig config, HttpClient http, TimeProvider time, AgentLog log, Random random)
{
    private readonly NodeCalls calls = new(config.OrchestratorUrls, config.PoolToken ?? throw PoolOnly(), http, time, log, random)
    {
        Credential = "pool token",
        Gone = AgentExit.LeftPool,
    };

    private readonly string path = AgentProtocol.PoolClaimPath(config.Pool ?? throw PoolOnly(), config.MachineId);

    /// <summary>The wait as the process runs it: announced, on its own HTTP client, ended with exit 0 by a stop signal.</summary>
    /// <returns>The config of the session that claimed the machine.</returns>
    /// <exception cref="AgentExit">Whenever the process is to end instead of serving a session.</exception>
    public static async Task<AgentConfig> ClaimAsync(AgentConfig config, AgentLog log, CancellationToken stop)
    {
        log.Write($"pooled pool={config.Pool} machine={config.MachineId} pid={Environment.ProcessId}");
        using var http = NodeCalls.NewHttpClient();
        try
        {
            var claim = await new PoolClaimWait(config, http, TimeProvider.System, log, Random.Shared).WaitAsync(stop);
            StartupTimeline.Mark(StartupTimeline.Claimed);
            return config.Claimed(claim);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw new AgentExit(0, "stopped while waiting in the pool");
        }
    }

    /// <returns>The claim: the session this machine now serves.</returns>
    /// <exception cref="AgentExit">Exit 0 when the machine left the pool (410), 2 when the pool token is refused.</exception>
    public async Task<AgentClaim> WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var claim = await calls.PollAsync("claim poll", path, null, AgentJson.Default.AgentClaim, cancellationToken, check: Check);
            if (claim is not null) return claim;
        }
    }

    /// <summary>A claim the agent cannot serve is a bad answer, retried via another node like any other.</summary>
    private static void Check(AgentClaim claim)
    {
        if (string.IsNullOrWhiteSpace(claim.SessionId) || string.IsNullOrWhiteSpace(claim.Token))
            throw new JsonException("a claim without its session id or token");
    }

    private static ArgumentException PoolOnly() => new("only a pool machine's config waits for a claim", nameof(config));
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Silo.Auth;

namespace AgentCluster.Silo.Mcp;

/// <summary>
/// A session's <see cref="Transcript"/> as it is now: its log read from the start up to the view's last event (the watch
/// would go on with live events; a transcript is what has happened).
/// </summary>
public sealed class TranscriptReader(IGrainFactory grains)
{
    /// <exception cref="AgentCluster.Abstractions.Sessions.SessionException">Not the owner's session (NotFound).</exception>
    public async Task<string> ReadAsync(string sessionId, string owner, CancellationToken cancellationToken)
    {
        // The owner is checked here, before the watch: the watch runs in an iterator, where SessionCaller does not reach.
        var (grain, view) = await grains.OwnedAsync(sessionId, owner);
        var transcript = new Transcript(sessionId, view.Runtime == AgentRuntimes.Shell);
        if (view.LastEventId == 0) return transcript.Markdown();
        await foreach (var e in grain.WatchAsync(0, cancellationToken))
        {
            transcript.Observe(e);
            if (e.Seq >= view.LastEventId) break;
        }
        return transcript.Markdown();
    }
}

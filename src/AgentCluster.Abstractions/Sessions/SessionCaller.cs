namespace AgentCluster.Abstractions.Sessions;

/// <summary>
/// Who a direct call to a session grain acts for. An internal service on the grains names its owner once around its
/// calls (<c>using (SessionCaller.ActAs("reports")) { ... }</c>); the name travels with each call in Orleans'
/// RequestContext, and the session answers as the front door answers an API key of that name: its own sessions
/// only, another owner's the same as a missing one (not found), and a session it starts is its own. A call that
/// names no owner acts for the cluster itself, as the node's reaper and front door do (the front door checks the
/// caller's key before it calls).
/// </summary>
public static class SessionCaller
{
    private const string Key = "agentcluster.owner";

    /// <summary>The owner named for calls made in this async flow, or null.</summary>
    public static string? Owner => RequestContext.Get(Key) as string;

    /// <summary>Acts for <paramref name="owner"/> until disposed (then the owner named before, if any, again).</summary>
    public static IDisposable ActAs(string owner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var before = Owner;
        RequestContext.Set(Key, owner);
        return new Restore(before);
    }

    private sealed class Restore(string? before) : IDisposable
    {
        public void Dispose()
        {
            if (before is null) RequestContext.Remove(Key);
            else RequestContext.Set(Key, before);
        }
    }
}

using System.Runtime.CompilerServices;
using Orleans.Runtime.Diagnostics;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The calls a session holds open (the agent's long poll, a watcher waiting for the next event) end as soon as
/// its activation begins to deactivate: its node shutting down, a node leaving that kept its directory entry,
/// a split brain resolved. Orleans deactivates a grain only once its running calls are done, so a held call
/// would freeze the session (every push queued behind it) and hold up a node's exit for as long as it waits:
/// a watcher's wait is half of Orleans' 30 s call timeout. The callers, on any node, ask again and reach the
/// session's next activation.
/// </summary>
internal static class HeldCalls
{
    private static readonly ConditionalWeakTable<IGrainContext, CancellationTokenSource> Releases = new();
    private static int subscribed;

    /// <summary>Cancelled once <paramref name="activation"/> begins to deactivate.</summary>
    public static CancellationToken Released(IGrainContext activation)
    {
        // Orleans reports each deactivation as it begins through its public lifecycle diagnostics.
        if (Interlocked.Exchange(ref subscribed, 1) == 0) GrainLifecycleEvents.AllEvents.Subscribe(new DeactivationObserver());
        return Releases.GetValue(activation, _ => new CancellationTokenSource()).Token;
    }

    /// <summary>A held call's own token: cancelled by its caller, or when <paramref name="activation"/> begins to deactivate.</summary>
    public static CancellationTokenSource Hold(IGrainContext activation, CancellationToken caller) =>
        CancellationTokenSource.CreateLinkedTokenSource(caller, Released(activation));

    /// <summary>What a watcher is told: its stream resumes from the log once the session is active again.</summary>
    public static SiloUnavailableException Moving(string sessionId) =>
        new($"Session '{sessionId}' is moving to a new activation; resume from the last event seen.");

    private sealed class DeactivationObserver : IObserver<GrainLifecycleEvents.LifecycleEvent>
    {
        public void OnNext(GrainLifecycleEvents.LifecycleEvent value)
        {
            // Reported under the activation's lock: the held calls are released off it.
            if (value is GrainLifecycleEvents.Deactivating && Releases.TryGetValue(value.GrainContext, out var release))
                _ = Task.Run(release.Cancel);
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }
    }
}

namespace AgentCluster.Fly.Models;

/// <summary>Volume states: <c>created</c> when usable, and the ones fly-go reads as "being destroyed".</summary>
public static class VolumeStates
{
    public const string Created = "created";
    public const string SchedulingDestroy = "scheduling_destroy";
    public const string ForkCleanup = "fork_cleanup";
    public const string WaitingForDetach = "waiting_for_detach";
    public const string PendingDestroy = "pending_destroy";
    public const string Destroying = "destroying";
    public const string Destroyed = "destroyed";

    private static readonly HashSet<string> Leaving = [SchedulingDestroy, ForkCleanup, WaitingForDetach, PendingDestroy, Destroying, Destroyed];

    /// <summary>Not on its way out (fly-go's <c>IsBeingDestroyed</c>, negated, with <c>destroyed</c> itself).</summary>
    public static bool IsActive(string? state) => state is null || !Leaving.Contains(state);
}

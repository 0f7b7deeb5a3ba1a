namespace AgentCluster.Fly.Models;

/// <summary>Machine states of Fly's state machine (docs: machine-states).</summary>
public static class MachineStates
{
    public const string Created = "created";
    public const string Starting = "starting";
    public const string Started = "started";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Suspending = "suspending";
    public const string Suspended = "suspended";
    public const string Restarting = "restarting";
    public const string Updating = "updating";
    public const string Replacing = "replacing";
    public const string Destroying = "destroying";
    public const string Destroyed = "destroyed";
    public const string Failed = "failed";
    public const string LaunchFailed = "launch_failed";

    /// <summary>The pseudo-state of <c>/wait</c>: any persistent (non-transient) state.</summary>
    public const string Settled = "settled";

    private static readonly HashSet<string> Persistent = [Created, Started, Stopped, Suspended, Failed, Destroyed];

    public static bool IsSettled(string? state) => state is not null && Persistent.Contains(state);

    /// <summary>fly-go's <c>IsActive</c>: anything not on its way out.</summary>
    public static bool IsActive(string? state) => state is not (Destroying or Destroyed);
}

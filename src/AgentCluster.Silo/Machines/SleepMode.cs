using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Machines;

/// <summary>How an idle session's machine sleeps: suspended (its memory kept, resumed in a few hundred ms) or stopped (booted again).</summary>
public enum SleepMode
{
    Stop,
    Suspend,
}

/// <summary>
/// Fly's conditions for suspend (reference/suspend-resume, "Requirements"): at most 2 GB of memory (more is
/// discouraged: the snapshot takes longer), no swap, no schedule, no GPU. The node asks for none of the last three,
/// so a guest's memory decides; a machine Fly still refuses to suspend is stopped instead (<see cref="SessionMachines"/>).
/// </summary>
public static class SleepModes
{
    public const int MaxSuspendMemoryMb = 2048;

    public static SleepMode For(GuestSpec guest) =>
        FlyGuests.Complete(guest).MemoryMb <= MaxSuspendMemoryMb ? SleepMode.Suspend : SleepMode.Stop;
}

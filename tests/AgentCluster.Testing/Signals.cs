using System.Runtime.InteropServices;

namespace AgentCluster.Testing;

/// <summary>POSIX signals to any process (a node, an agent the emulator started): what Fly, a terminal or the kernel send.</summary>
public static class Signals
{
    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public static bool Interrupt(int pid) => Send(pid, 2);

    /// <summary>SIGTERM, as an orchestrator (Fly, Kubernetes, systemd) asks a process to stop.</summary>
    public static bool Terminate(int pid) => Send(pid, 15);

    /// <summary>SIGKILL: the process dies at once, as in a crash or an out-of-memory kill.</summary>
    public static bool Kill(int pid) => Send(pid, 9);

    /// <summary>SIGSTOP: the process freezes, alive but silent, like a hung agent.</summary>
    public static bool Freeze(int pid) => Send(pid, 19);

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public static bool Thaw(int pid) => Send(pid, 18);

    /// <returns>Whether the signal was delivered (false when the process is gone).</returns>
    public static bool Send(int pid, int signal) => kill(pid, signal) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

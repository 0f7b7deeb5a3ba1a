using System.Runtime.InteropServices;

namespace AgentCluster.Tests.Infrastructure;

public static class Signals
{
    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public static int Interrupt(int pid) => kill(pid, 2);

    /// <summary>SIGSTOP: the process freezes, alive but silent, like a hung agent.</summary>
    public static int Freeze(int pid) => kill(pid, 19);

    /// <summary>SIGTERM, as an orchestrator (Fly, Kubernetes, systemd) asks a process to stop.</summary>
    public static int Terminate(int pid) => kill(pid, 15);

    /// <summary>SIGKILL: the process dies at once, as in a crash or an out-of-memory kill.</summary>
    public static int Kill(int pid) => kill(pid, 9);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

using System.Runtime.InteropServices;

namespace AgentCluster.Tests.Infrastructure;

public static class Signals
{
    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public static int Interrupt(int pid) => kill(pid, 2);

    /// <summary>SIGSTOP: the process freezes, alive but silent, like a hung agent.</summary>
    public static int Freeze(int pid) => kill(pid, 19);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

using System.Runtime.InteropServices;

namespace AgentCluster.FlyEmulator.Processes;

internal static class Libc
{
    /// <summary>kill(2): a negative pid signals the whole process group.</summary>
    [DllImport("libc", SetLastError = true)]
    internal static extern int kill(int pid, int signal);
}

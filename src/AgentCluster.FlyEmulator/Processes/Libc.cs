using System.Runtime.InteropServices;

namespace AgentCluster.FlyEmulator.Processes;

internal static class Libc
{
    /// <summary>kill(2): a negative pid signals the whole process group.</summary>
    [DllImport("libc", SetLastError = true)]
    internal static extern int kill(int pid, int signal);

    /// <summary>lchown(2): a symbolic link itself, never what it points to.</summary>
    [DllImport("libc", SetLastError = true)]
    internal static extern int lchown(string path, uint owner, uint group);

    /// <summary>getpwnam(3): the user's entry (through NSS, as login would see it), or null. Not thread-safe: callers lock.</summary>
    [DllImport("libc", SetLastError = true)]
    internal static extern IntPtr getpwnam(string name);

    /// <summary>The head of glibc's <c>struct passwd</c>, as far as the ids.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Passwd
    {
        public IntPtr Name;
        public IntPtr Password;
        public uint Uid;
        public uint Gid;
    }
}

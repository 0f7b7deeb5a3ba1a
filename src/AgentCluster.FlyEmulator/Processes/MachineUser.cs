using System.Runtime.InteropServices;

namespace AgentCluster.FlyEmulator.Processes;

/// <summary>
/// The unprivileged user a root emulator runs machines as, so that what an agent runs cannot read the node's
/// own processes (their <c>/proc/&lt;pid&gt;/environ</c>, which holds the real model key) or write its files.
/// The machine's folders are handed to that user (<see cref="Own"/>); .NET sets the uid, gid and the user's
/// groups in the forked child (<see cref="System.Diagnostics.ProcessStartInfo.UserName"/>).
/// </summary>
public sealed record MachineUser(string Name, uint Uid, uint Gid)
{
    /// <summary>The <c>FlyEmulator:RunAs</c> default: the user every Debian and Alpine system has, owning nothing.</summary>
    public const string Default = "nobody";

    private static readonly Lock PasswdLock = new();

    /// <summary>
    /// The user machines run as: none (they run as the emulator's own user) when the emulator is not root, or when
    /// <paramref name="runAs"/> is empty or <c>root</c>.
    /// </summary>
    public static MachineUser? For(string? runAs, bool emulatorIsRoot)
    {
        if (!emulatorIsRoot || string.IsNullOrWhiteSpace(runAs) || runAs == "root") return null;
        return Find(runAs) ?? throw new MachineLaunchException($"FlyEmulator:RunAs: there is no user '{runAs}' on this host");
    }

    public static MachineUser? Find(string name)
    {
        lock (PasswdLock)
        {
            var entry = Libc.getpwnam(name);
            if (entry == IntPtr.Zero) return null;
            var passwd = Marshal.PtrToStructure<Libc.Passwd>(entry);
            return new MachineUser(name, passwd.Uid, passwd.Gid);
        }
    }

    /// <summary>
    /// Gives <paramref name="folder"/> and everything under it to this user. Symbolic links are changed
    /// themselves and never followed, so a link the machine left behind cannot hand a host file to it (nor can a
    /// hard link: the kernel's fs.protected_hardlinks, on by default, forbids linking a file one does not own).
    /// </summary>
    public void Own(string folder)
    {
        Directory.CreateDirectory(folder);
        Change(folder);
        var pending = new Stack<string>([folder]);
        while (pending.TryPop(out var current))
        {
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos())
            {
                Change(entry.FullName);
                if (entry is DirectoryInfo && entry.LinkTarget is null) pending.Push(entry.FullName);
            }
        }
    }

    /// <summary>
    /// Lets this user pass through <paramref name="dataDirectory"/> (search only: it cannot list it) to the machines'
    /// folders under it, when it is the emulator's own folder made without that (a private temp folder, mode 700).
    /// The folders above it are not the emulator's to change: one this user cannot pass through fails the launch,
    /// naming it.
    /// </summary>
    public void Reach(string dataDirectory)
    {
        const UnixFileMode search = UnixFileMode.OtherExecute;
        if (OperatingSystem.IsWindows()) return; // never root there: no machine user
        var mode = File.GetUnixFileMode(dataDirectory);
        if ((mode & search) == 0) File.SetUnixFileMode(dataDirectory, mode | search);
        for (var above = Path.GetDirectoryName(Path.GetFullPath(dataDirectory)); above is not null; above = Path.GetDirectoryName(above))
        {
            if ((File.GetUnixFileMode(above) & search) == 0)
                throw new MachineLaunchException($"the machine's user {Name} cannot reach {dataDirectory}: {above} is not searchable by others (FlyEmulator:DataDirectory elsewhere, or FlyEmulator:RunAs=root)");
        }
    }

    private void Change(string path)
    {
        if (Libc.lchown(path, Uid, Gid) != 0)
            throw new IOException($"chown {Name} {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }
}

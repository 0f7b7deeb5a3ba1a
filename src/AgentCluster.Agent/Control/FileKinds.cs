using System.Runtime.InteropServices;

namespace AgentCluster.Agent.Control;

internal enum FileKind
{
    Missing,
    File,
    Directory,
    Symlink,
    /// <summary>A FIFO, socket or device: listed, never read (opening a FIFO would wait for a writer).</summary>
    Other,
}

/// <summary>
/// What a name is, not following a link at it (lstat). .NET reports a FIFO or a device as a file like any other, so the
/// type comes from statx(2), whose layout is the same on every architecture; without it (not Linux), from .NET.
/// </summary>
internal static class FileKinds
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int ModeOffset = 28;
    private const int TypeMask = 0xF000;

    private static bool unavailable;

    public static FileKind Of(string path)
    {
        if (!unavailable)
        {
            try
            {
                var buffer = new byte[StatxSize];
                if (statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType, buffer) == 0)
                {
                    return (BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask) switch
                    {
                        0x8000 => FileKind.File,
                        0x4000 => FileKind.Directory,
                        0xA000 => FileKind.Symlink,
                        _ => FileKind.Other,
                    };
                }
                // ENOENT and ENOTDIR: nothing there. ENOSYS (a kernel without statx): ask .NET from now on.
                if (Marshal.GetLastPInvokeError() != 38) return FileKind.Missing;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
            unavailable = true;
        }
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return FileKind.Symlink;
        if (Directory.Exists(path)) return FileKind.Directory;
        return info.Exists ? FileKind.File : FileKind.Missing;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string pathname, int flags, uint mask, byte[] buffer);
}

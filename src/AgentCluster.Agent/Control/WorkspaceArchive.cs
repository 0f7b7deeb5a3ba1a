using System.Formats.Tar;
using System.IO.Compression;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.Agent.Control;

/// <summary>
/// A folder of the workspace as a <c>.tar.gz</c>, and a <c>.tar.gz</c> unpacked into one: both streamed, entry by
/// entry, so that neither the archive nor a file of it is ever held whole in memory. Entry names are relative to the
/// folder. Links are stored as links, never followed; unpacking refuses (400) an entry whose name or link would lead
/// out of the workspace before anything of that entry is written (the entries before it stay written).
/// </summary>
internal sealed class WorkspaceArchive(WorkspaceFiles files)
{
    private WorkspacePaths Paths => files.Paths;

    /// <summary>The folder resolved and checked, before the caller starts a response it can no longer turn into an error.</summary>
    /// <exception cref="ControlRefusal">400 (a path refused, not a folder), 404.</exception>
    public WorkspacePath Folder(string? path)
    {
        var folder = Paths.Resolve(path);
        return FileKinds.Of(WorkspacePaths.RealPath(folder.Full) ?? folder.Full) switch
        {
            FileKind.Directory => folder,
            FileKind.Missing => throw ControlRefusal.NotFound("path", folder.Relative),
            _ => throw ControlRefusal.BadPath("path", $"'{folder.Relative}' is not a folder"),
        };
    }

    /// <summary>Writes the folder's <c>.tar.gz</c> to <paramref name="output"/>, walking it without following a link.</summary>
    public async Task WriteAsync(WorkspacePath folder, Stream output, CancellationToken cancellationToken)
    {
        await using var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        await using var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
        var root = WorkspacePaths.RealPath(folder.Full)!;
        var pending = new Stack<(string Full, string Name)>([(root, "")]);
        while (pending.TryPop(out var directory))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory.Full).Order(StringComparer.Ordinal))
            {
                var name = directory.Name.Length == 0 ? Path.GetFileName(entry) : $"{directory.Name}/{Path.GetFileName(entry)}";
                var kind = FileKinds.Of(entry);
                if (kind is FileKind.Other or FileKind.Missing) continue;
                // TarWriter takes the entry from lstat: a link is written as the link it is.
                await tar.WriteEntryAsync(entry, name, cancellationToken);
                if (kind is FileKind.Directory) pending.Push((entry, name));
            }
        }
    }

    /// <summary>Unpacks the <c>.tar.gz</c> read from <paramref name="input"/> into the folder (made when missing).</summary>
    /// <exception cref="ControlRefusal">400: not a .tar.gz, or an entry refused.</exception>
    public async Task<ArchiveUnpacked> UnpackAsync(string? path, Stream input, CancellationToken cancellationToken)
    {
        var folder = Paths.Resolve(path);
        if (FileKinds.Of(WorkspacePaths.RealPath(folder.Full) ?? folder.Full) is not (FileKind.Directory or FileKind.Missing))
            throw ControlRefusal.BadPath("path", $"'{folder.Relative}' is not a folder");
        Directory.CreateDirectory(folder.Full);
        var (count, bytes) = (0, 0L);
        try
        {
            await using var gzip = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
            await using var tar = new TarReader(gzip, leaveOpen: true);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var written = await UnpackEntryAsync(folder, entry, cancellationToken);
                if (written is { } size) (count, bytes) = (count + 1, bytes + size);
            }
        }
        catch (InvalidDataException e)
        {
            throw ControlRefusal.BadRequest("body", $"not a .tar.gz archive ({e.Message})");
        }
        return new ArchiveUnpacked(folder.Relative, count, bytes);
    }

    /// <returns>The size of the file written; null for what is not a file (a folder, a link).</returns>
    private async Task<long?> UnpackEntryAsync(WorkspacePath folder, TarEntry entry, CancellationToken cancellationToken)
    {
        var field = $"archive entry '{entry.Name}'";
        var name = EntryName(entry.Name, field);
        if (name.Length == 0) return null;
        var target = Paths.Child(folder, name);
        Paths.VerifyInside(target, field);
        var mode = (UnixFileMode)((int)entry.Mode & 0x1FF);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Directory.CreateDirectory(target.Full);
                Paths.VerifyInside(target, field);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target.Full, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                return null;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                var (_, size, _) = await files.WriteAsync(target, entry.DataStream ?? Stream.Null, mode, cancellationToken, field);
                return size;
            case TarEntryType.SymbolicLink:
                CreateLink(target, entry.LinkName, field);
                return null;
            case TarEntryType.HardLink:
                // A copy: the workspace may not allow hard links across its folders, and a copy cannot lead anywhere new.
                var source = Paths.Child(folder, EntryName(entry.LinkName, field));
                Paths.VerifyInside(source, field);
                await using (var content = files.OpenRead(source))
                {
                    var (_, copied, _) = await files.WriteAsync(target, content, mode, cancellationToken, field);
                    return copied;
                }
            case TarEntryType.GlobalExtendedAttributes:
                return null;
            default:
                throw ControlRefusal.BadRequest(field, $"a {entry.EntryType} entry, which the workspace does not take (files, folders and links only)");
        }
    }

    /// <summary>An entry's name under the folder: <c>./</c> and a trailing '/' dropped, then the workspace's path rules.</summary>
    private static string EntryName(string name, string field)
    {
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        return WorkspacePaths.Normalize(name, field);
    }

    /// <summary>A link whose target, relative to the link's folder, stays in the workspace; an absolute one is refused.</summary>
    private void CreateLink(WorkspacePath target, string linkTarget, string field)
    {
        if (linkTarget.Length == 0 || linkTarget.Contains('\0')) throw ControlRefusal.BadPath(field, "a link to nothing");
        if (linkTarget.StartsWith('/')) throw ControlRefusal.BadPath(field, $"a link to the absolute path '{linkTarget}', outside the workspace");
        var parent = Path.GetDirectoryName(target.Full)!;
        if (WorkspacePaths.RealPath($"{parent}/{linkTarget}") is not { } real || !Paths.Contains(real))
            throw ControlRefusal.BadPath(field, $"a link to '{linkTarget}', which leads out of the workspace");
        Directory.CreateDirectory(parent);
        Paths.VerifyInside(new WorkspacePath(target.Relative, parent), field);
        if (FileKinds.Of(target.Full) is FileKind.Directory) throw ControlRefusal.Conflict(field, $"'{target.Relative}' is a folder");
        if (FileKinds.Of(target.Full) is not FileKind.Missing) File.Delete(target.Full);
        File.CreateSymbolicLink(target.Full, linkTarget);
    }
}

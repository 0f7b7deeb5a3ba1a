using AgentCluster.Abstractions.Control;
using Microsoft.Net.Http.Headers;

namespace AgentCluster.Agent.Control;

/// <summary>
/// The file operations of the control server on a workspace, each confined by <see cref="WorkspacePaths"/>: checked
/// when the path comes in, and again on what is opened or just before the path is renamed over or deleted.
/// </summary>
internal sealed class WorkspaceFiles(WorkspacePaths paths)
{
    /// <summary>What an upload is written to first, beside its target, then renamed over it.</summary>
    private const string UploadSuffix = ".agentcluster-upload";

    public WorkspacePaths Paths => paths;

    /// <exception cref="ControlRefusal">400 (a path refused, not a folder), 404.</exception>
    public FileList List(string? path)
    {
        var folder = paths.Resolve(path);
        switch (KindOfTarget(folder))
        {
            case FileKind.Directory: break;
            case FileKind.Missing: throw ControlRefusal.NotFound("path", folder.Relative);
            default: throw ControlRefusal.BadPath("path", $"'{folder.Relative}' is not a folder");
        }
        var entries = new DirectoryInfo(folder.Full).EnumerateFileSystemInfos()
            .Select(Entry)
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        // Names only were read, but they were read from where the path led when enumerated.
        paths.VerifyInside(folder);
        return new FileList(folder.Relative, entries);
    }

    /// <summary>What the path leads to, a link at it followed (the path was checked: where it leads is inside).</summary>
    private static FileKind KindOfTarget(WorkspacePath path) => FileKinds.Of(WorkspacePaths.RealPath(path.Full) ?? path.Full);

    private static FileEntry Entry(FileSystemInfo info) => FileKinds.Of(info.FullName) switch
    {
        FileKind.File => new FileEntry(info.Name, "file", ((FileInfo)info).Length, info.LastWriteTimeUtc),
        FileKind.Directory => new FileEntry(info.Name, "directory", null, info.LastWriteTimeUtc),
        FileKind.Symlink => new FileEntry(info.Name, "symlink", null, info.LastWriteTimeUtc),
        _ => new FileEntry(info.Name, "other", null, info.LastWriteTimeUtc),
    };

    /// <summary>The file, opened for reading and checked where it really is; the caller disposes it.</summary>
    /// <exception cref="ControlRefusal">400 (a path refused, a folder, not a regular file), 404.</exception>
    public FileStream OpenRead(WorkspacePath file)
    {
        switch (KindOfTarget(file))
        {
            case FileKind.File: break;
            case FileKind.Missing: throw ControlRefusal.NotFound("path", file.Relative);
            case FileKind.Directory: throw ControlRefusal.BadPath("path", $"'{file.Relative}' is a folder: list it with GET /files?path={file.Relative}");
            default: throw ControlRefusal.BadPath("path", $"'{file.Relative}' is not a regular file");
        }
        FileStream stream;
        try
        {
            stream = new FileStream(file.Full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw ControlRefusal.NotFound("path", file.Relative);
        }
        try
        {
            paths.VerifyOpened(stream.SafeFileHandle, file);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a new file beside the target, then renames it over the target: a reader
    /// sees the old file or the new one, never half of one. Parents are made.
    /// </summary>
    /// <returns>Whether the file is new (nothing was at its path), its size, and its ETag.</returns>
    /// <exception cref="ControlRefusal">400 (a path refused), 409 (a folder is there).</exception>
    public async Task<(bool Created, long Size, string ETag)> WriteAsync(WorkspacePath file, Stream content, UnixFileMode? mode, CancellationToken cancellationToken, string field = "path")
    {
        if (file.Relative.Length == 0) throw ControlRefusal.BadPath(field, "names the workspace itself, not a file in it");
        if (FileKinds.Of(file.Full) is FileKind.Directory)
            throw ControlRefusal.Conflict(field, $"'{file.Relative}' is a folder");
        var parent = Path.GetDirectoryName(file.Full)!;
        var parentPath = new WorkspacePath(Path.GetDirectoryName(file.Relative) ?? "", parent);
        Directory.CreateDirectory(parent);
        var temporary = Path.Combine(parent, $".{file.Name}.{Guid.NewGuid():N}{UploadSuffix}");
        try
        {
            // CreateNew (O_EXCL) never follows a link at the name it creates; the check on the handle covers the folders above it.
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                paths.VerifyOpened(stream.SafeFileHandle, parentPath, field);
                await content.CopyToAsync(stream, 128 * 1024, cancellationToken);
            }
            if (mode is { } unixMode && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, unixMode | UnixFileMode.UserRead | UnixFileMode.UserWrite);
            paths.VerifyInside(parentPath, field);
            // The target's name itself may be a link: rename(2) replaces the link, it does not write through it.
            var created = FileKinds.Of(file.Full) is FileKind.Missing;
            try
            {
                File.Move(temporary, file.Full, overwrite: true);
            }
            catch (IOException) when (Directory.Exists(file.Full))
            {
                throw ControlRefusal.Conflict(field, $"'{file.Relative}' is a folder");
            }
            var written = new FileInfo(file.Full);
            return (created, written.Length, FileTags.ETag(written.Length, written.LastWriteTimeUtc));
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Removes a file, a link (not what it points to) or a folder with all in it; never the workspace itself.</summary>
    /// <exception cref="ControlRefusal">400 (a path refused, the workspace), 404.</exception>
    public void Delete(string? path)
    {
        var target = paths.Resolve(path);
        if (target.Relative.Length == 0) throw ControlRefusal.BadPath("path", "names the workspace itself, which cannot be deleted");
        var kind = FileKinds.Of(target.Full);
        if (kind is FileKind.Missing) throw ControlRefusal.NotFound("path", target.Relative);
        paths.VerifyInside(target);
        if (kind is FileKind.Directory) Directory.Delete(target.Full, recursive: true);
        else File.Delete(target.Full);
    }
}

/// <summary>A file's ETag: strong, from its size and last write, so that a replaced file gets a new one without reading it.</summary>
internal static class FileTags
{
    public static string ETag(long size, DateTime lastWriteUtc) => $"\"{size:x}-{lastWriteUtc.Ticks:x}\"";

    public static EntityTagHeaderValue Of(FileStream stream) =>
        new(ETag(stream.Length, File.GetLastWriteTimeUtc(stream.SafeFileHandle)));
}

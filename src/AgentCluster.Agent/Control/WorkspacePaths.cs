using Microsoft.Win32.SafeHandles;

namespace AgentCluster.Agent.Control;

/// <summary>A path of the workspace, checked: <see cref="Relative"/> as the caller may be shown it ("" for the workspace), <see cref="Full"/> to open.</summary>
internal sealed record WorkspacePath(string Relative, string Full)
{
    public string Name => Relative.Length == 0 ? "" : Relative[(Relative.LastIndexOf('/') + 1)..];
}

/// <summary>
/// The rules that keep every control call inside the workspace (the folder turns run in). A path is relative, '/'
/// separated; refused (400, naming the field): an absolute path, a <c>..</c> segment however it is spelt (percent-encoded
/// once or more: a relay may decode what this server does not), a backslash, a NUL, and any path whose real location,
/// every symbolic link followed at every level (dangling ones too), is outside the workspace. A check is only as good as
/// the moment it is made: <see cref="VerifyOpened"/> and <see cref="VerifyInside"/> repeat it on what an operation is
/// about to read or write, so that a symbolic link swapped in after the check is caught.
/// </summary>
internal sealed class WorkspacePaths
{
    /// <summary>As Linux's own limit on links followed in one lookup (ELOOP).</summary>
    private const int MaxLinks = 40;

    private readonly string prefix;

    /// <param name="workspace">The workspace folder; its own real location is what paths must stay in.</param>
    public WorkspacePaths(string workspace)
    {
        Root = RealPath(Path.GetFullPath(workspace)) ?? throw new ArgumentException($"the workspace {workspace} is a loop of symbolic links", nameof(workspace));
        prefix = Root.EndsWith('/') ? Root : Root + "/";
    }

    /// <summary>The workspace's real location (no symbolic link in it).</summary>
    public string Root { get; }

    /// <summary>The lexical rules alone.</summary>
    /// <returns>The path without empty or <c>.</c> segments; "" for the workspace itself.</returns>
    /// <exception cref="ControlRefusal">400 naming <paramref name="field"/>.</exception>
    public static string Normalize(string? path, string field)
    {
        if (string.IsNullOrEmpty(path)) return "";
        if (path.Contains('\0')) throw ControlRefusal.BadPath(field, "holds a NUL character");
        if (path.Contains('\\')) throw ControlRefusal.BadPath(field, "holds a backslash: separate folders with '/'");
        if (path.StartsWith('/')) throw ControlRefusal.BadPath(field, $"'{path}' is absolute: paths are relative to the workspace");
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".") continue;
            var decoded = FullyDecoded(segment);
            if (decoded == "..") throw ControlRefusal.BadPath(field, $"'{path}' has a '..' segment: paths stay inside the workspace");
            if (decoded != segment && (decoded is "." || decoded.IndexOfAny(['/', '\\', '\0']) >= 0))
                throw ControlRefusal.BadPath(field, $"'{path}' has a percent-encoded '.', separator or NUL in segment '{segment}'");
            segments.Add(segment);
        }
        return string.Join('/', segments);
    }

    /// <summary>The lexical rules, then the real location of the path (or of what it would be created as).</summary>
    /// <exception cref="ControlRefusal">400 naming <paramref name="field"/>.</exception>
    public WorkspacePath Resolve(string? path, string field = "path")
    {
        var relative = Normalize(path, field);
        var resolved = new WorkspacePath(relative, relative.Length == 0 ? Root : prefix + relative);
        VerifyInside(resolved, field);
        return resolved;
    }

    /// <summary>A path inside a resolved folder (a name from an archive, already normalized).</summary>
    public WorkspacePath Child(WorkspacePath folder, string relative) =>
        new(folder.Relative.Length == 0 ? relative : $"{folder.Relative}/{relative}", $"{folder.Full.TrimEnd('/')}/{relative}");

    /// <summary>The check again, right before an operation that goes by the path (a rename, a delete).</summary>
    public void VerifyInside(WorkspacePath path, string field = "path")
    {
        if (RealPath(path.Full) is not { } real) throw ControlRefusal.BadPath(field, $"'{path.Relative}' goes through a loop of symbolic links");
        if (!Contains(real)) throw ControlRefusal.BadPath(field, $"'{path.Relative}' leads out of the workspace through a symbolic link");
    }

    /// <summary>
    /// The check on what was actually opened: the handle's own path (<c>/proc/self/fd/N</c>), whatever the path named
    /// by the time the file was opened. Where there is no <c>/proc</c>, the path is checked again instead.
    /// </summary>
    public void VerifyOpened(SafeFileHandle handle, WorkspacePath path, string field = "path")
    {
        var opened = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
        if (opened is null)
        {
            VerifyInside(path, field);
            return;
        }
        if (!Contains(opened)) throw ControlRefusal.BadPath(field, $"'{path.Relative}' leads out of the workspace through a symbolic link");
    }

    public bool Contains(string realPath) => realPath == Root || realPath.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>
    /// Where an absolute path really is, as realpath(3) says, except that a missing part is not an error: it is kept as
    /// it is (it holds no link, since it does not exist), and a dangling link is followed to where it points.
    /// </summary>
    /// <returns>Null for a loop of links.</returns>
    public static string? RealPath(string path)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment == ".") continue;
            if (segment == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = "/" + string.Join('/', resolved.Append(segment));
            if (new FileInfo(candidate).LinkTarget is not { } target)
            {
                resolved.Add(segment);
                continue;
            }
            if (++links > MaxLinks) return null;
            if (target.StartsWith('/')) resolved.Clear();
            foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(part);
        }
        return "/" + string.Join('/', resolved);
    }

    /// <summary>Decoded until nothing changes: a segment encoded twice (<c>%252e%252e</c>) is still <c>..</c> to whoever decodes it twice.</summary>
    private static string FullyDecoded(string segment)
    {
        for (var i = 0; i < 8 && segment.Contains('%'); i++)
        {
            var decoded = Uri.UnescapeDataString(segment);
            if (decoded == segment) break;
            segment = decoded;
        }
        return segment;
    }
}

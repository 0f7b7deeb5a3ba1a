using System.CommandLine;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace AgentCluster.Cli.Commands;

/// <summary>
/// <c>cp</c> to and from a session's workspace: <c>cp ./local &lt;id&gt;:path</c> uploads (a folder goes as a .tar.gz
/// archive, unpacked there), <c>cp &lt;id&gt;:path ./local</c> downloads (with -r, a folder, fetched as an archive and
/// unpacked). Remote paths are relative to the workspace; <c>&lt;id&gt;:</c> alone is the workspace itself.
/// </summary>
internal static partial class CopyCommand
{
    public static Command Create(CliRunner runner)
    {
        var source = new Argument<string>("source") { Description = "A local path, or <id>:path in a session's workspace" };
        var destination = new Argument<string>("destination") { Description = "A local path, or <id>:path in a session's workspace" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Download a folder (uploads of a local folder are always whole)" };
        var command = new Command("cp", "Copy files to or from a session's workspace") { source, destination, recursive };
        runner.Set(command, async (cli, p) =>
        {
            var (from, to) = (Remote.Parse(p.GetValue(source)!), Remote.Parse(p.GetValue(destination)!));
            object done = (from, to) switch
            {
                (null, { } remote) => await UploadAsync(cli, p.GetValue(source)!, remote),
                ({ } remote, null) => await DownloadAsync(cli, remote, p.GetValue(destination)!, p.GetValue(recursive)),
                _ => throw new UsageException("cp: exactly one of source and destination is <id>:path"),
            };
            cli.Show(done, d => cli.Screen.Line($"copied {p.GetValue(source)} → {p.GetValue(destination)}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<object> UploadAsync(CliContext cli, string local, Remote remote)
    {
        if (Directory.Exists(local))
        {
            using var archive = new MemoryStream();
            await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
                await TarFile.CreateFromDirectoryAsync(local, gzip, includeBaseDirectory: false, cli.Cancel);
            archive.Position = 0;
            return await cli.Client.UploadArchiveAsync(remote.SessionId, remote.PathOrNull, archive, cli.Cancel);
        }
        if (!File.Exists(local)) throw new UsageException($"cp: {local}: no such file or folder");
        // Into a folder (a path ending in /, or the workspace itself): under the local file's own name.
        var path = remote.Path.Length == 0 || remote.Path.EndsWith('/') ? remote.Path + System.IO.Path.GetFileName(local) : remote.Path;
        await using var file = File.OpenRead(local);
        return await cli.Client.UploadFileAsync(remote.SessionId, path, file, cli.Cancel);
    }

    private static async Task<object> DownloadAsync(CliContext cli, Remote remote, string local, bool folder)
    {
        if (folder)
        {
            Directory.CreateDirectory(local);
            using var archive = new MemoryStream();
            await cli.Client.DownloadArchiveAsync(remote.SessionId, remote.PathOrNull, archive, cli.Cancel);
            archive.Position = 0;
            await using var gzip = new GZipStream(archive, CompressionMode.Decompress);
            await TarFile.ExtractToDirectoryAsync(gzip, local, overwriteFiles: true, cli.Cancel);
            return new Downloaded(Path.GetFullPath(local), archive.Length);
        }
        if (remote.Path.Length == 0) throw new UsageException("cp: the workspace is a folder: use -r");
        var target = Directory.Exists(local) ? Path.Combine(local, Path.GetFileName(remote.Path.TrimEnd('/'))) : local;
        // Written beside the target and moved into place: a failed download leaves no half file behind.
        var partial = target + ".part";
        try
        {
            await using (var file = File.Create(partial))
                await cli.Client.DownloadFileAsync(remote.SessionId, remote.Path, file, cli.Cancel);
            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
        return new Downloaded(Path.GetFullPath(target), new FileInfo(target).Length);
    }

    private sealed record Downloaded(string Path, long Bytes);

    /// <summary><c>&lt;id&gt;:path</c>; a local path is one whose part before the first ':' is empty or holds a '/'.</summary>
    private sealed partial record Remote(string SessionId, string Path)
    {
        public string? PathOrNull => Path.Length == 0 ? null : Path;

        public static Remote? Parse(string text) => Pattern().Match(text) is { Success: true } m ? new Remote(m.Groups[1].Value, m.Groups[2].Value.TrimStart('/')) : null;

        [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9._-]*):(.*)$")]
        private static partial Regex Pattern();
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Agents;

namespace AgentCluster.Agent;

/// <summary>
/// Clones the session's git repository into its workspace before the first turn, once: a workspace that
/// already holds a checkout of it (an agent restarted, a session woken, a later session on the same persistent
/// workspace) is left as it is, uncommitted work and all.
/// <list type="bullet">
/// <item>Where: into the workspace itself when it is empty (a fresh volume's <c>lost+found</c> aside), so that
/// turns run at the repository's root; otherwise into a folder named after the repository inside it (the
/// workspace holds other work, or another repository's checkout).</item>
/// <item>How: <c>git clone [--branch b] --single-branch</c> into a staging folder inside the workspace, then
/// moved into place, <c>.git</c> last, so that an agent killed mid-clone leaves no half checkout that looks
/// like a whole one (the staging folder is cleared on the next attempt).</item>
/// <item>Credentials in the URL (<c>https://user:token@host/…</c>) are used for the clone only: the checkout's
/// <c>origin</c> is the URL without them, and every message names it so.</item>
/// </list>
/// </summary>
internal static partial class WorkspaceRepository
{
    public const string StagingFolder = ".agentcluster-clone";

    /// <summary>What a fresh ext4 volume holds before anyone writes to it.</summary>
    private static readonly string[] EmptyVolumeEntries = ["lost+found", StagingFolder];

    /// <returns>The checkout's folder (the workspace or a folder in it); null when there is no repository.</returns>
    /// <exception cref="RepositoryCloneException">The clone failed; the message names the URL without credentials and says why.</exception>
    public static async Task<string?> CloneAsync(string workspace, RepositorySpec? repository, AgentLog log, CancellationToken cancellationToken)
    {
        if (repository is null) return null;
        var url = repository.Url.Trim();
        var shown = WithoutCredentials(url);
        Directory.CreateDirectory(workspace);
        var folder = Path.Combine(workspace, FolderName(shown));
        foreach (var existing in new[] { workspace, folder })
        {
            if (await IsCheckoutOfAsync(existing, shown, cancellationToken))
            {
                log.Write($"workspace already has {shown} in {existing}");
                return existing;
            }
        }

        var target = IsEmpty(workspace) ? workspace : folder;
        if (target == folder && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new RepositoryCloneException($"Cannot clone {shown}: {folder} already exists and is not a checkout of it.");
        log.Write($"cloning {shown}{(repository.Branch is { } b ? $" (branch {b})" : "")} into {target}");

        var staging = Path.Combine(workspace, StagingFolder);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        string[] clone = ["clone", "--single-branch", .. repository.Branch is { Length: > 0 } branch ? ["--branch", branch] : Array.Empty<string>(), "--", url, staging];
        var failure = await GitAsync(workspace, clone, cancellationToken);
        if (failure is not null)
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw new RepositoryCloneException($"Cannot clone {shown}: {Scrub(failure, url, shown)}");
        }
        if (shown != url && await GitAsync(staging, ["remote", "set-url", "origin", shown], cancellationToken) is { } unset)
            throw new RepositoryCloneException($"Cloned {shown}, but could not take the credentials out of its origin: {Scrub(unset, url, shown)}");

        MoveInto(staging, target);
        log.Write($"cloned {shown} into {target}");
        return target;
    }

    /// <summary>
    /// The URL as it may be shown and stored: without the user and password of an http(s) URL (a token often
    /// stands as the user there), or a password in any other; an ssh user (<c>ssh://git@host/…</c>) is no secret and stays.
    /// </summary>
    public static string WithoutCredentials(string url) =>
        Credentials(url) is { } userInfo ? url.Remove(url.IndexOf("://", StringComparison.Ordinal) + 3, userInfo.Length + 1) : url;

    /// <summary>The secret part of the URL's user info (<c>user:password</c> or an http(s) user), without the '@'.</summary>
    private static string? Credentials(string url)
    {
        var match = UserInfoPattern().Match(url);
        if (!match.Success) return null;
        var scheme = match.Groups["scheme"].Value.ToLowerInvariant();
        var userInfo = match.Groups["userinfo"].Value;
        return scheme is "http" or "https" || userInfo.Contains(':') ? userInfo : null;
    }

    /// <summary>The repository's name from its URL (<c>…/org/app.git</c> → <c>app</c>), safe as a folder name.</summary>
    public static string FolderName(string url)
    {
        var last = url.TrimEnd('/').Split('/', ':').Last();
        if (last.EndsWith(".git", StringComparison.Ordinal)) last = last[..^4];
        var safe = new string(last.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').ToArray()).Trim('.');
        return safe.Length > 0 ? safe : "repository";
    }

    private static bool IsEmpty(string workspace) =>
        Directory.EnumerateFileSystemEntries(workspace).All(e => EmptyVolumeEntries.Contains(Path.GetFileName(e)));

    private static async Task<bool> IsCheckoutOfAsync(string folder, string url, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(folder, ".git"))) return false;
        var (exitCode, output, _) = await RunGitAsync(folder, ["config", "--get", "remote.origin.url"], cancellationToken);
        return exitCode == 0 && output.Trim() == url;
    }

    /// <summary>Everything in the staging folder moves up into <paramref name="target"/>, <c>.git</c> last; then the staging folder goes.</summary>
    private static void MoveInto(string staging, string target)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        var entries = Directory.EnumerateFileSystemEntries(staging).OrderBy(e => Path.GetFileName(e) == ".git").ToList();
        foreach (var entry in entries)
        {
            var destination = Path.Combine(target, Path.GetFileName(entry));
            if (Directory.Exists(entry)) Directory.Move(entry, destination);
            else File.Move(entry, destination);
        }
        Directory.Delete(staging);
    }

    /// <returns>Null on success, else what git said (its last lines of stderr) and its exit code.</returns>
    private static async Task<string?> GitAsync(string folder, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (exitCode, _, error) = await RunGitAsync(folder, args, cancellationToken);
        if (exitCode == 0) return null;
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return $"{string.Join(" ", lines.TakeLast(3))} (git exited with {exitCode})";
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunGitAsync(string folder, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // Nobody is there to type a password: a repository that needs one fails at once instead of waiting.
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GCM_INTERACTIVE"] = "never";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new RepositoryCloneException("git did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RepositoryCloneException($"git is not installed in this machine's image ({e.Message}).");
        }
        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            return (process.ExitCode, await output, await error);
        }
    }

    /// <summary>Git may repeat the URL, credentials and all, in what it says.</summary>
    private static string Scrub(string text, string url, string shown)
    {
        text = text.Replace(url, shown, StringComparison.Ordinal);
        if (Credentials(url) is not { } userInfo) return text;
        // The whole user info, then the password alone (or the user alone, when it is the token).
        var secret = userInfo.Contains(':') ? userInfo[(userInfo.IndexOf(':') + 1)..] : userInfo;
        foreach (var part in new[] { userInfo, secret }.Where(p => p.Length > 0))
            text = text.Replace(part, "***", StringComparison.Ordinal).Replace(Uri.UnescapeDataString(part), "***", StringComparison.Ordinal);
        return text;
    }

    [GeneratedRegex("^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<userinfo>[^/@]+)@")]
    private static partial Regex UserInfoPattern();
}

/// <summary>The session's repository could not be cloned; the message names it without credentials.</summary>
internal sealed class RepositoryCloneException(string message) : Exception(message);

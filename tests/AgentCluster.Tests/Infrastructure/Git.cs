using System.Diagnostics;
using AgentCluster.FlyEmulator.Processes;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>git, run for a test: local repositories to clone over file://.</summary>
public static class Git
{
    public static string Run(string folder, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["GIT_AUTHOR_NAME"] = info.Environment["GIT_COMMITTER_NAME"] = "test";
        info.Environment["GIT_AUTHOR_EMAIL"] = info.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error.Result}");
        return output.Trim();
    }

    /// <summary>A bare repository at <paramref name="remote"/> whose main branch has the given files.</summary>
    public static void CreateBare(string remote, IReadOnlyDictionary<string, string> files)
    {
        var root = Path.GetDirectoryName(remote)!;
        Directory.CreateDirectory(root);
        Run(root, "init", "--bare", "--initial-branch=main", remote);
        var seed = Path.Combine(root, "seed-" + Guid.NewGuid().ToString("N")[..8]);
        Run(root, "clone", remote, seed);
        foreach (var (name, content) in files) File.WriteAllText(Path.Combine(seed, name), content);
        Run(seed, "add", ".");
        Run(seed, "commit", "-m", "main");
        Run(seed, "push", "origin", "main");
    }

    /// <summary>
    /// Makes <paramref name="remote"/> (under the test's private <paramref name="root"/>) cloneable by the machines
    /// of a root node, which run as <c>nobody</c>: as a remote on another host would be served by its own user, it
    /// becomes theirs, since git refuses a repository owned by another user ("dubious ownership"). Nothing to do on a
    /// node that is not root, whose machines run as the test's user.
    /// </summary>
    public static void ServeToMachines(string root, string remote)
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess) return;
        File.SetUnixFileMode(root, File.GetUnixFileMode(root) | UnixFileMode.OtherExecute);
        MachineUser.Find(MachineUser.Default)!.Own(remote);
    }
}

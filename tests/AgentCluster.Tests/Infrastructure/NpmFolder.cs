using System.Collections.Concurrent;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>
/// A folder of tests/ holding a Node script and its package.json and package-lock.json (an official npm client of a
/// protocol the node speaks): its packages installed with <c>npm ci</c> once per test run (the lock file pins them),
/// then the script run with the environment it reads.
/// </summary>
public static class NpmFolder
{
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Installed = new(StringComparer.Ordinal);

    /// <summary>Runs <c>node <paramref name="script"/></c> in <c>tests/<paramref name="folder"/></c>: its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string folder, string script, IReadOnlyDictionary<string, string> environment, TimeSpan deadline)
    {
        var path = await InstallAsync(folder);
        await using var node = ChildProcess.Start(script, "node", [script], environment, path);
        var exitCode = await node.WaitForExitAsync(deadline);
        return (exitCode, node.Log);
    }

    /// <summary><c>npm ci</c> in <c>tests/<paramref name="folder"/></c>, once per test run; its full path.</summary>
    public static async Task<string> InstallAsync(string folder)
    {
        var path = Path.Combine(RepositoryFiles.Root, "tests", folder);
        await Installed.GetOrAdd(path, p => new Lazy<Task>(() => NpmCiAsync(p))).Value;
        return path;
    }

    private static async Task NpmCiAsync(string path)
    {
        await using var npm = ChildProcess.Start("npm-ci", "npm", ["ci", "--no-audit", "--no-fund"], workingDirectory: path);
        if (await npm.WaitForExitAsync(TimeSpan.FromMinutes(5)) != 0)
            throw new InvalidOperationException($"npm ci in {path} failed:\n{npm.Log}");
    }
}

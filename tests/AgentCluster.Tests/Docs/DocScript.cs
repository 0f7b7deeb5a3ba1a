namespace AgentCluster.Tests.Docs;

/// <summary>
/// Runs a docs block as a reader pastes it into a terminal: bash with <c>-euo pipefail</c> (a failing line fails the
/// block), in a folder of its own (or the repository's root), against a node whose address replaces the default one
/// the docs write, and which the CLI finds by <c>AGENTCLUSTER_URL</c>.
/// </summary>
public static class DocScript
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>The addresses the docs call a node on its embedded default by.</summary>
    private static readonly string[] DefaultAddresses = ["127.0.0.1:8080", "localhost:8080"];

    public static async Task<(int ExitCode, string Output)> RunAsync(DocBlock block, NodeHost node, string folder)
    {
        var script = DefaultAddresses.Aggregate(block.Code, (code, address) => code.Replace(address, $"127.0.0.1:{node.HttpPort}", StringComparison.Ordinal));
        var environment = new Dictionary<string, string> { ["AGENTCLUSTER_URL"] = node.Url };
        await using var bash = ChildProcess.Start($"bash ({block})", "bash", ["-euo", "pipefail", "-c", script], environment, folder);
        var exitCode = await bash.WaitForExitAsync(block.Deadline ?? Deadline);
        return (exitCode, bash.Log);
    }

    /// <summary>Runs the block in the repository's root when it says so, else in a new temporary folder, deleted afterwards.</summary>
    public static async Task<(int ExitCode, string Output)> RunInItsFolderAsync(DocBlock block, NodeHost node)
    {
        if (block.InRepository) return await RunAsync(block, node, RepositoryFiles.Root);
        var folder = Directory.CreateTempSubdirectory("agentcluster-docs-").FullName;
        try
        {
            return await RunAsync(block, node, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

using System.Text.RegularExpressions;
using AgentCluster.Cli;

namespace AgentCluster.Tests.Cli;

/// <summary>docs/cli.md's examples are command lines agentcluster accepts: an option renamed in the code fails here, not for a reader.</summary>
public sealed partial class CliDocsTests
{
    [Fact]
    public void Every_agentcluster_line_in_the_docs_parses()
    {
        var lines = Blocks().Matches(RepositoryFiles.Read("docs/cli.md"))
            .SelectMany(block => block.Groups[1].Value.Split('\n'))
            .Where(line => line.StartsWith("agentcluster ", StringComparison.Ordinal))
            .ToList();
        Assert.True(lines.Count >= 20, $"only {lines.Count} examples found");

        using var ctrlC = new CtrlC();
        var root = CliApp.Root(new CliRunner(new CliOptions(), ctrlC));
        Assert.All(lines, line =>
        {
            var parsed = root.Parse(Words(line).Skip(1).ToArray());
            Assert.True(parsed.Errors.Count == 0, $"{line}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        });
    }

    /// <summary>The words of a shell line, quotes removed, up to a comment.</summary>
    private static IEnumerable<string> Words(string line) =>
        Word().Matches(line).Select(m => m.Groups.Cast<Group>().Skip(1).First(g => g.Success).Value).TakeWhile(w => !w.StartsWith('#'));

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Blocks();

    [GeneratedRegex(@"""([^""]*)""|'([^']*)'|(\S+)")]
    private static partial Regex Word();
}

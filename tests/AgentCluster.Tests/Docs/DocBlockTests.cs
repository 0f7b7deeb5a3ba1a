using System.Text.RegularExpressions;

namespace AgentCluster.Tests.Docs;

/// <summary>
/// Every block of README.md and docs/*.md marked <c>&lt;!-- test: NAME --&gt;</c>, run as a reader would run it against
/// one node on its embedded default (the blocks use session ids of their own): it exits 0 and prints what its marker
/// says it prints. And every <c>tested-by</c> marker names a test class that exists, so no marker claims a test that
/// is not there.
/// </summary>
public sealed class DocBlockTests(DocBlockTests.NodeFixture fixture) : IClassFixture<DocBlockTests.NodeFixture>
{
    public sealed class NodeFixture : IAsyncLifetime
    {
        public NodeHost Node { get; private set; } = null!;

        public async Task InitializeAsync() => Node = await NodeHost.StartAsync(new Dictionary<string, string>());

        public async Task DisposeAsync() => await Node.DisposeAsync();
    }

    public static TheoryData<string> Runnable() => new(DocBlock.Runnable.Select(b => b.Name!));

    [Theory]
    [MemberData(nameof(Runnable))]
    public async Task A_tested_block_of_the_docs_runs_and_prints_what_it_says(string name)
    {
        var block = DocBlock.Named(name);

        var (exitCode, output) = await DocScript.RunInItsFolderAsync(block, fixture.Node);

        Assert.True(exitCode == 0, $"{block} exited with {exitCode}:\n{output}");
        foreach (var expected in block.Expects)
            Assert.True(output.Contains(expected, StringComparison.Ordinal), $"{block} printed no '{expected}':\n{output}");
        foreach (var pattern in block.ExpectRegexes)
            Assert.True(Regex.IsMatch(output, pattern), $"{block} printed nothing matching '{pattern}':\n{output}");
    }

    [Fact]
    public void The_docs_mark_blocks_for_the_tests_and_each_name_is_unique()
    {
        Assert.Contains(DocBlock.Runnable, b => b.Page == "README.md");
        var names = DocBlock.Runnable.Select(b => b.Name).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
    }

    [Fact]
    public void Every_tested_by_marker_names_a_test_class_with_tests()
    {
        var classes = typeof(DocBlockTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)))
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);
        var markers = DocBlock.All.Where(b => b.TestedBy is not null).ToList();

        Assert.NotEmpty(markers);
        Assert.All(markers, b => Assert.True(classes.Contains(b.TestedBy!), $"{b}: no test class {b.TestedBy}"));
    }
}

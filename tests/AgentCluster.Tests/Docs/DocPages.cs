using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace AgentCluster.Tests.Docs;

/// <summary>
/// The user docs as the tests read them: README.md and docs/*.md, each parsed by Markdig as GitHub renders it (pipe
/// tables, headings with GitHub's ids), so a code block, a link or an anchor is found as a reader sees it.
/// </summary>
public static class DocPages
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .Build();

    private static readonly Lazy<IReadOnlyList<DocPage>> Pages = new(Load);

    /// <summary>README.md, then docs/*.md by name: the pages a newcomer follows.</summary>
    public static IReadOnlyList<DocPage> All => Pages.Value;

    /// <summary>A Markdown file of the repository (a link's target), parsed the same way.</summary>
    public static DocPage Read(string relativePath) =>
        All.FirstOrDefault(page => page.Path == relativePath) ?? Parse(relativePath);

    private static IReadOnlyList<DocPage> Load()
    {
        var docs = Directory.EnumerateFiles(RepositoryFiles.Path("docs"), "*.md")
            .Select(file => "docs/" + System.IO.Path.GetFileName(file))
            .Order(StringComparer.Ordinal);
        return docs.Prepend("README.md").Select(Parse).ToList();
    }

    private static DocPage Parse(string relativePath) =>
        new(relativePath, Markdown.Parse(RepositoryFiles.Read(relativePath), Pipeline));
}

/// <summary>One page: its path from the repository's root and its Markdown tree.</summary>
public sealed record DocPage(string Path, MarkdownDocument Document)
{
    /// <summary>The folder its relative links start from.</summary>
    public string Folder => System.IO.Path.GetDirectoryName(Path) ?? "";

    /// <summary>The anchors its headings get (GitHub's ids: lower case, punctuation dropped, spaces as dashes).</summary>
    public IReadOnlySet<string> Anchors =>
        Document.Descendants<HeadingBlock>().Select(h => h.GetAttributes().Id).OfType<string>().ToHashSet(StringComparer.Ordinal);
}

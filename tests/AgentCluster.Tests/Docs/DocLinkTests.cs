using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AgentCluster.Tests.Docs;

/// <summary>
/// Every relative link and image of README.md and docs/*.md leads to a file of the repository, and a link's
/// <c>#anchor</c> into a Markdown page to one of its headings: moving or renaming a section breaks this test, not
/// the reader's click.
/// </summary>
public sealed class DocLinkTests
{
    public static TheoryData<string> Pages() => new(DocPages.All.Select(p => p.Path));

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_of_a_page_resolves(string path)
    {
        var page = DocPages.All.Single(p => p.Path == path);
        var broken = new List<string>();

        foreach (var link in page.Document.Descendants<LinkInline>())
        {
            var url = link.Url ?? "";
            if (url.Length == 0 || Uri.TryCreate(url, UriKind.Absolute, out _)) continue; // a web address: not the repository's
            var hash = url.IndexOf('#');
            var (file, anchor) = hash < 0 ? (url, null) : (url[..hash], url[(hash + 1)..]);
            var target = file.Length == 0 ? page.Path : Normalize(Path.Combine(page.Folder, Uri.UnescapeDataString(file)));
            var where = $"{page.Path}:{link.Line + 1} → {url}";

            if (!File.Exists(RepositoryFiles.Path(target)) && !Directory.Exists(RepositoryFiles.Path(target))) broken.Add($"{where}: no file {target}");
            else if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal) && !DocPages.Read(target).Anchors.Contains(anchor))
                broken.Add($"{where}: no heading #{anchor} in {target}");
        }

        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void README_links_every_page_of_the_docs()
    {
        var readme = DocPages.Read("README.md");
        var linked = readme.Document.Descendants<LinkInline>().Select(l => (l.Url ?? "").Split('#')[0]).ToHashSet(StringComparer.Ordinal);

        Assert.All(DocPages.All.Where(p => p.Path.StartsWith("docs/", StringComparison.Ordinal)), p => Assert.Contains(p.Path, linked));
    }

    /// <summary>A repository path with <c>..</c> and <c>.</c> folded, separated by <c>/</c>.</summary>
    private static string Normalize(string path) =>
        Path.GetRelativePath(RepositoryFiles.Root, Path.GetFullPath(path, RepositoryFiles.Root)).Replace('\\', '/');
}

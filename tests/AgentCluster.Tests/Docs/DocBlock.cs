using System.Text.RegularExpressions;
using Markdig.Syntax;

namespace AgentCluster.Tests.Docs;

/// <summary>
/// A code block of the docs marked as tested by the HTML comment right above it (invisible on the rendered page):
/// <c>&lt;!-- test: NAME --&gt;</c>, run by <see cref="DocBlockTests"/>, with optional lines <c>expect: TEXT</c> (the
/// output contains it), <c>expect-regex: REGEX</c> (the output matches it), <c>cwd: repository</c> (it runs in the
/// repository's root, as a reader in a fresh clone, instead of an empty folder) and <c>deadline-s: N</c> (it may take
/// N seconds, not <see cref="DocScript.Deadline"/>: a block that builds a project); or <c>&lt;!-- tested-by: CLASS --&gt;</c>,
/// run or quoted by that test class, for what a line of output cannot say.
/// </summary>
public sealed partial record DocBlock(
    string Page, int Line, string? Name, string? TestedBy, string Code, IReadOnlyList<string> Expects, IReadOnlyList<string> ExpectRegexes,
    bool InRepository, TimeSpan? Deadline)
{
    /// <summary>Every marked block of README.md and docs/*.md, in page order.</summary>
    public static IReadOnlyList<DocBlock> All { get; } = DocPages.All.SelectMany(Of).ToList();

    /// <summary>The blocks <see cref="DocBlockTests"/> runs.</summary>
    public static IEnumerable<DocBlock> Runnable => All.Where(b => b.Name is not null);

    public static DocBlock Named(string name) => Assert.Single(All, b => b.Name == name);

    /// <summary>The one block marked <c>tested-by</c> the test class <typeparamref name="TTest"/>.</summary>
    public static DocBlock TestedByClass<TTest>() => Assert.Single(All, b => b.TestedBy == typeof(TTest).Name);

    public override string ToString() => $"{Page}:{Line} ({Name ?? TestedBy})";

    private static IEnumerable<DocBlock> Of(DocPage page)
    {
        foreach (var code in page.Document.Descendants<FencedCodeBlock>())
        {
            var container = code.Parent!;
            var index = container.IndexOf(code);
            if (index == 0 || container[index - 1] is not HtmlBlock { Type: HtmlBlockType.Comment } comment) continue;
            var marker = comment.Lines.ToString();
            var fields = Field().Matches(marker).Select(m => (Key: m.Groups[1].Value, Value: m.Groups[2].Value.TrimEnd())).ToList();
            string? One(string key) => fields.Where(f => f.Key == key).Select(f => f.Value).SingleOrDefault();
            List<string> All(string key) => fields.Where(f => f.Key == key).Select(f => f.Value).ToList();
            var (name, testedBy) = (One("test"), One("tested-by"));
            if (name is null && testedBy is null) continue;
            var deadline = One("deadline-s") is { } seconds ? TimeSpan.FromSeconds(int.Parse(seconds)) : (TimeSpan?)null;
            yield return new DocBlock(page.Path, code.Line + 1, name, testedBy, code.Lines.ToString(), All("expect"), All("expect-regex"),
                One("cwd") == "repository", deadline);
        }
    }

    /// <summary>A <c>key: value</c> line of the marker (the first may follow <c>&lt;!--</c>; the last may end with <c>--&gt;</c>).</summary>
    [GeneratedRegex(@"^(?:<!--)?\s*(test|tested-by|expect|expect-regex|cwd|deadline-s):[ \t]?(.*?)(?:\s*-->)?\s*$", RegexOptions.Multiline)]
    private static partial Regex Field();
}

using System.Text.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Runtimes.Anthropic.Tools;

namespace AgentCluster.UnitTests.Runtimes;

/// <summary>The anthropic runtime's file tools, run through the toolbox as the model's calls are.</summary>
public sealed class AnthropicToolTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("anthropic-tools-").FullName;
    private readonly Toolbox toolbox;

    public AnthropicToolTests() => toolbox = new Toolbox(workspace, new AgentSettings());

    public void Dispose() => Directory.Delete(workspace, recursive: true);

    private Task<ToolOutput> Run(string tool, object input) =>
        toolbox.RunAsync(tool, JsonSerializer.SerializeToElement(input), CancellationToken.None);

    private string InWorkspace(string path) => Path.Combine(workspace, path);

    [Theory]
    [InlineData("Read", "file_path", "../outside.txt")]
    [InlineData("Read", "file_path", "/etc/hostname")]
    [InlineData("Write", "file_path", "../../escaped.txt")]
    [InlineData("Edit", "file_path", "sub/../../escaped.txt")]
    [InlineData("Glob", "path", "..")]
    [InlineData("Grep", "path", "/etc")]
    public async Task Paths_outside_the_workspace_are_refused_with_an_error_result(string tool, string field, string path)
    {
        var input = new Dictionary<string, object> { [field] = path, ["content"] = "x", ["old_string"] = "a", ["new_string"] = "b", ["pattern"] = "a" };

        var output = await Run(tool, input);

        Assert.True(output.IsError);
        Assert.Contains("outside the workspace", output.Content);
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(workspace, "../escaped.txt"))));
    }

    [Fact]
    public async Task Absolute_paths_inside_the_workspace_are_accepted()
    {
        var output = await Run("Write", new { file_path = InWorkspace("deep/new.txt"), content = "made" });

        Assert.False(output.IsError, output.Content);
        Assert.Equal("made", File.ReadAllText(InWorkspace("deep/new.txt")));
    }

    [Fact]
    public async Task Read_numbers_lines_and_pages_with_offset_and_limit()
    {
        File.WriteAllLines(InWorkspace("five.txt"), ["one", "two", "three", "four", "five"]);

        var all = await Run("Read", new { file_path = "five.txt" });
        var page = await Run("Read", new { file_path = "five.txt", offset = 2, limit = 2 });

        Assert.Equal("     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour\n     5\tfive", all.Content.ReplaceLineEndings("\n"));
        Assert.StartsWith("     2\ttwo\n     3\tthree\n", page.Content.ReplaceLineEndings("\n"));
        Assert.Contains("offset 4", page.Content);
    }

    [Fact]
    public async Task Read_of_a_missing_file_is_an_error_result()
    {
        var output = await Run("Read", new { file_path = "nope.txt" });

        Assert.True(output.IsError);
        Assert.Contains("does not exist", output.Content);
    }

    [Fact]
    public async Task Edit_replaces_a_unique_string()
    {
        File.WriteAllText(InWorkspace("code.txt"), "alpha beta gamma");

        var output = await Run("Edit", new { file_path = "code.txt", old_string = "beta", new_string = "BETA" });

        Assert.False(output.IsError, output.Content);
        Assert.Equal("alpha BETA gamma", File.ReadAllText(InWorkspace("code.txt")));
    }

    [Fact]
    public async Task Edit_refuses_an_ambiguous_string_unless_replace_all()
    {
        File.WriteAllText(InWorkspace("code.txt"), "x = 1; x = 2;");

        var refused = await Run("Edit", new { file_path = "code.txt", old_string = "x =", new_string = "y =" });
        Assert.True(refused.IsError);
        Assert.Contains("occurs 2 times", refused.Content);
        Assert.Equal("x = 1; x = 2;", File.ReadAllText(InWorkspace("code.txt")));

        var all = await Run("Edit", new { file_path = "code.txt", old_string = "x =", new_string = "y =", replace_all = true });
        Assert.False(all.IsError, all.Content);
        Assert.Equal("y = 1; y = 2;", File.ReadAllText(InWorkspace("code.txt")));
    }

    [Fact]
    public async Task Edit_of_a_string_not_in_the_file_is_an_error_result()
    {
        File.WriteAllText(InWorkspace("code.txt"), "abc");

        var output = await Run("Edit", new { file_path = "code.txt", old_string = "xyz", new_string = "q" });

        Assert.True(output.IsError);
        Assert.Contains("not found", output.Content);
    }

    [Fact]
    public async Task Glob_finds_matching_files_and_skips_git()
    {
        Directory.CreateDirectory(InWorkspace("src/inner"));
        Directory.CreateDirectory(InWorkspace(".git/objects"));
        File.WriteAllText(InWorkspace("src/a.cs"), "");
        File.WriteAllText(InWorkspace("src/inner/b.cs"), "");
        File.WriteAllText(InWorkspace("src/c.txt"), "");
        File.WriteAllText(InWorkspace(".git/objects/d.cs"), "");

        var output = await Run("Glob", new { pattern = "**/*.cs" });
        var under = await Run("Glob", new { pattern = "*.cs", path = "src/inner" });

        Assert.Equal(["src/a.cs", "src/inner/b.cs"], output.Content.Split('\n').Order());
        Assert.Equal("src/inner/b.cs", under.Content);
    }

    [Fact]
    public async Task Grep_answers_path_line_and_text_and_filters_by_glob()
    {
        Directory.CreateDirectory(InWorkspace("src"));
        Directory.CreateDirectory(InWorkspace(".git"));
        File.WriteAllLines(InWorkspace("src/a.cs"), ["class A", "  // TODO: fix", "}"]);
        File.WriteAllLines(InWorkspace("notes.md"), ["TODO later"]);
        File.WriteAllLines(InWorkspace(".git/config"), ["TODO in git"]);
        File.WriteAllBytes(InWorkspace("blob.bin"), [0, (byte)'T', (byte)'O', (byte)'D', (byte)'O']);

        var everywhere = await Run("Grep", new { pattern = "TO+DO" });
        var onlyCs = await Run("Grep", new { pattern = "TODO", glob = "*.cs" });

        Assert.Equal(["notes.md:1:TODO later", "src/a.cs:2:  // TODO: fix"], everywhere.Content.Split('\n').Order());
        Assert.Equal("src/a.cs:2:  // TODO: fix", onlyCs.Content);
    }

    [Fact]
    public async Task Grep_with_an_invalid_regex_is_an_error_result()
    {
        var output = await Run("Grep", new { pattern = "(unclosed" });

        Assert.True(output.IsError);
        Assert.Contains("invalid regular expression", output.Content);
    }

    [Fact]
    public async Task Missing_required_input_is_an_error_result()
    {
        var output = await Run("Write", new { file_path = "a.txt" });

        Assert.True(output.IsError);
        Assert.Contains("'content' is required", output.Content);
    }
}

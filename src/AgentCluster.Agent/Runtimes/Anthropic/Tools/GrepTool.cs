using System.Text;
using System.Text.RegularExpressions;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>Searches file contents with a regular expression; answers <c>path:line:text</c> for each matching line.</summary>
internal sealed class GrepTool(Workspace workspace) : IAgentTool
{
    public const int MaxMatches = 200;
    public const int MaxLineChars = 300;

    /// <summary>A pattern that backtracks without end must not hold the turn.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    public string Name => "Grep";

    public string Description =>
        "Searches the contents of the files in the workspace (or under 'path', a folder or a file) for a regular " +
        "expression (.NET syntax, matched line by line). 'glob' keeps only the files whose path matches it (such as *.cs " +
        $"or src/**/*.ts). Returns path:line:text for each matching line, at most {MaxMatches}. .git folders and binary files are skipped.";

    public string InputSchema => """
        {
          "type": "object",
          "properties": {
            "pattern": { "type": "string", "description": "The regular expression to search for" },
            "path": { "type": "string", "description": "The folder or file to search in (default: the workspace)" },
            "glob": { "type": "string", "description": "Only search files whose path matches this glob (such as *.cs)" }
          },
          "required": ["pattern"]
        }
        """;

    public async Task<ToolOutput> RunAsync(ToolInput input, CancellationToken cancellationToken)
    {
        var regex = Compile(input.String("pattern"));
        var path = workspace.Resolve(input.OptionalString("path") ?? workspace.Root);
        var glob = input.OptionalString("glob");

        var matches = new StringBuilder();
        var count = 0;
        foreach (var file in Files(path, glob))
        {
            if (await TextFiles.IsBinaryAsync(file, cancellationToken)) continue;
            var number = 0;
            await foreach (var line in File.ReadLinesAsync(file, cancellationToken))
            {
                number++;
                if (!IsMatch(regex, line)) continue;
                if (++count > MaxMatches) return new ToolOutput($"{matches}(more matches; narrow the pattern, path or glob)");
                var text = line.Length > MaxLineChars ? line[..MaxLineChars] + "…" : line;
                matches.Append(workspace.Relative(file)).Append(':').Append(number).Append(':').AppendLine(text);
            }
        }
        return new ToolOutput(count == 0 ? "No matches found" : matches.ToString().TrimEnd('\n'));
    }

    private IEnumerable<string> Files(string path, string? glob)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw new ToolException($"{workspace.Relative(path)} does not exist");
        // A glob without a folder part (*.cs) means such files anywhere below, as grep's --include does.
        var pattern = glob is null ? "**/*" : glob.Contains('/') ? glob : "**/" + glob;
        return WorkspaceFiles.Matching(path, pattern).Order(StringComparer.Ordinal);
    }

    private static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.None, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ToolException($"invalid regular expression: {e.Message}");
        }
    }

    private static bool IsMatch(Regex regex, string line)
    {
        try
        {
            return regex.IsMatch(line);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ToolException("the regular expression took too long on a line; simplify it");
        }
    }
}

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>Finds files by glob pattern, the most recently modified first (what the model most likely wants).</summary>
internal sealed class GlobTool(Workspace workspace) : IAgentTool
{
    public const int MaxResults = 200;

    public string Name => "Glob";

    public string Description =>
        "Finds files in the workspace whose path matches a glob pattern (such as **/*.cs or src/**/*.ts), relative " +
        $"to 'path' (default: the workspace). Returns workspace-relative paths, most recently modified first, at most {MaxResults}. " +
        ".git folders are skipped.";

    public string InputSchema => """
        {
          "type": "object",
          "properties": {
            "pattern": { "type": "string", "description": "The glob pattern to match file paths against" },
            "path": { "type": "string", "description": "The folder to search in (default: the workspace)" }
          },
          "required": ["pattern"]
        }
        """;

    public Task<ToolOutput> RunAsync(ToolInput input, CancellationToken cancellationToken)
    {
        var pattern = input.String("pattern");
        var folder = workspace.Resolve(input.OptionalString("path") ?? workspace.Root);
        if (!Directory.Exists(folder)) throw new ToolException($"{workspace.Relative(folder)} is not a folder");

        var files = WorkspaceFiles.Matching(folder, pattern)
            .Select(path => (path, modified: File.GetLastWriteTimeUtc(path)))
            .OrderByDescending(file => file.modified)
            .ThenBy(file => file.path, StringComparer.Ordinal)
            .Select(file => workspace.Relative(file.path))
            .ToList();
        if (files.Count == 0) return Task.FromResult(new ToolOutput("No files found"));
        var shown = string.Join('\n', files.Take(MaxResults));
        return Task.FromResult(new ToolOutput(files.Count > MaxResults
            ? $"{shown}\n({files.Count - MaxResults} more files; narrow the pattern)"
            : shown));
    }
}

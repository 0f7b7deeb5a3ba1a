namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// Replaces an exact string in a file. The string must occur exactly once unless every occurrence is to be
/// replaced: an ambiguous edit is refused rather than applied to the wrong place.
/// </summary>
internal sealed class EditTool(Workspace workspace) : IAgentTool
{
    public string Name => "Edit";

    public string Description =>
        "Replaces old_string with new_string in a file in the workspace. old_string must match the file's text " +
        "exactly (whitespace included) and occur exactly once, unless replace_all is true (then every occurrence " +
        "is replaced). Read the file first.";

    public string InputSchema => """
        {
          "type": "object",
          "properties": {
            "file_path": { "type": "string", "description": "The file to edit (absolute, or relative to the workspace)" },
            "old_string": { "type": "string", "description": "The exact text to replace" },
            "new_string": { "type": "string", "description": "The text to put in its place" },
            "replace_all": { "type": "boolean", "description": "Replace every occurrence (default false)" }
          },
          "required": ["file_path", "old_string", "new_string"]
        }
        """;

    public async Task<ToolOutput> RunAsync(ToolInput input, CancellationToken cancellationToken)
    {
        var path = workspace.Resolve(input.String("file_path"));
        var oldString = input.String("old_string");
        var newString = input.String("new_string");
        var replaceAll = input.OptionalBool("replace_all");
        var name = workspace.Relative(path);
        if (oldString.Length == 0) throw new ToolException("old_string is empty; use Write to create a file");
        if (oldString == newString) throw new ToolException("old_string and new_string are the same");
        if (!File.Exists(path)) throw new ToolException($"{name} does not exist");

        var text = await File.ReadAllTextAsync(path, cancellationToken);
        var count = Occurrences(text, oldString);
        if (count == 0) throw new ToolException($"old_string was not found in {name}");
        if (count > 1 && !replaceAll)
            throw new ToolException($"old_string occurs {count} times in {name}; give more context to make it unique, or set replace_all");

        await File.WriteAllTextAsync(path, text.Replace(oldString, newString, StringComparison.Ordinal), cancellationToken);
        return new ToolOutput($"Edited {name}: {count} replacement{(count == 1 ? "" : "s")}");
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}

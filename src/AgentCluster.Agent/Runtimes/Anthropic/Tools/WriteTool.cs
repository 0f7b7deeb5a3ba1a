namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>Writes a whole file, creating it and its folders as needed, replacing what was there.</summary>
internal sealed class WriteTool(Workspace workspace) : IAgentTool
{
    public string Name => "Write";

    public string Description =>
        "Writes a file in the workspace with the given content, creating it (and its folders) or replacing it whole. " +
        "To change part of an existing file, prefer Edit.";

    public string InputSchema => """
        {
          "type": "object",
          "properties": {
            "file_path": { "type": "string", "description": "The file to write (absolute, or relative to the workspace)" },
            "content": { "type": "string", "description": "The file's new content" }
          },
          "required": ["file_path", "content"]
        }
        """;

    public async Task<ToolOutput> RunAsync(ToolInput input, CancellationToken cancellationToken)
    {
        var path = workspace.Resolve(input.String("file_path"));
        var content = input.String("content");
        if (Directory.Exists(path)) throw new ToolException($"{workspace.Relative(path)} is a directory");
        var existed = File.Exists(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content, cancellationToken);
        return new ToolOutput($"{(existed ? "Replaced" : "Created")} {workspace.Relative(path)} ({content.Length} characters)");
    }
}

using System.Text;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>Reads a text file with line numbers (as <c>cat -n</c>), from a line and up to a number of lines.</summary>
internal sealed class ReadTool(Workspace workspace) : IAgentTool
{
    public const int DefaultLimit = 2000;
    public const int MaxLineChars = 2000;

    /// <summary>What one read may return at most: every read stays in the conversation, which the model's context must hold.</summary>
    public const int MaxOutputChars = 100_000;

    public string Name => "Read";

    public string Description =>
        "Reads a text file in the workspace and returns its lines numbered from 1 (as cat -n). By default up to " +
        $"{DefaultLimit} lines from the start; 'offset' is the line number to start at and 'limit' the number of lines. " +
        $"Lines longer than {MaxLineChars} characters are cut, and one read returns at most {MaxOutputChars} characters.";

    public string InputSchema => """
        {
          "type": "object",
          "properties": {
            "file_path": { "type": "string", "description": "The file to read (absolute, or relative to the workspace)" },
            "offset": { "type": "integer", "description": "The line number to start reading at (1 is the first line)" },
            "limit": { "type": "integer", "description": "The number of lines to read" }
          },
          "required": ["file_path"]
        }
        """;

    public async Task<ToolOutput> RunAsync(ToolInput input, CancellationToken cancellationToken)
    {
        var path = workspace.Resolve(input.String("file_path"));
        var offset = Math.Max(input.OptionalInt("offset") ?? 1, 1);
        var limit = input.OptionalInt("limit") ?? DefaultLimit;
        if (limit <= 0) throw new ToolException("'limit' must be positive");
        if (Directory.Exists(path)) throw new ToolException($"{workspace.Relative(path)} is a directory; use Glob or Bash ls to list it");
        if (!File.Exists(path)) throw new ToolException($"{workspace.Relative(path)} does not exist");
        if (await TextFiles.IsBinaryAsync(path, cancellationToken)) throw new ToolException($"{workspace.Relative(path)} is a binary file");

        var text = new StringBuilder();
        var number = 0;
        var more = false;
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken))
        {
            number++;
            if (number < offset) continue;
            if (number >= offset + limit || text.Length >= MaxOutputChars)
            {
                more = true;
                break;
            }
            text.Append($"{number,6}\t").AppendLine(line.Length > MaxLineChars ? line[..MaxLineChars] + "…" : line);
        }
        if (number == 0) return new ToolOutput("(the file is empty)");
        if (number < offset) return ToolOutput.Error($"the file has {number} lines; offset {offset} is past its end");
        if (more) text.AppendLine($"(more lines follow; read on with offset {number})");
        return new ToolOutput(text.ToString().TrimEnd('\n'));
    }
}

using System.Text.Json;

namespace AgentCluster.Cli.Output;

/// <summary>
/// A tool call folded to one line: its name, the part of its input that says what it does (a command, a path, a
/// pattern) and the first line of its result, with how many lines were left out.
/// </summary>
internal static class ToolCallLine
{
    private const int Width = 100;

    /// <summary>The input fields, by preference, that say what a call does (Claude Code's tools' and the agent's own).</summary>
    private static readonly string[] Telling = ["command", "file_path", "path", "pattern", "url", "query", "description", "prompt"];

    public static string Describe(string name, string? input)
    {
        var gist = Gist(input);
        return gist.Length == 0 ? name : $"{name} {gist}";
    }

    public static string Result(string? content)
    {
        var lines = (content ?? "").Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0) return "(no output)";
        var first = Cut(lines[0].Trim());
        return lines.Count == 1 ? first : $"{first} (+{lines.Count - 1} lines)";
    }

    private static string Gist(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) return "";
        try
        {
            using var json = JsonDocument.Parse(input);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
                foreach (var field in Telling)
                    if (json.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
                        return Cut(OneLine(value.GetString()!));
            return Cut(json.RootElement.GetRawText());
        }
        catch (JsonException)
        {
            return Cut(OneLine(input));
        }
    }

    private static string OneLine(string text) => string.Join(" ⏎ ", text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static string Cut(string text) => text.Length <= Width ? text : text[..(Width - 1)] + "…";
}

using System.Text;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// The simple commands a Bash command line is made of, split where the shell would run another command:
/// <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>, <c>|</c>, <c>&amp;</c> and newlines outside quotes. So a rule such as
/// <c>Bash(git:*)</c> is held to every command of <c>git add . &amp;&amp; rm -rf ~</c>, not to its first word only,
/// as Claude Code holds its rules. What cannot be read without running a shell (command substitution, process
/// substitution, here-documents and here-strings, subshells and groups, an unterminated quote) gives no list: a
/// rule by command then neither allows it nor lets it pass a deny rule.
/// </summary>
internal static class ShellCommands
{
    /// <returns>Each simple command, trimmed, with its runs of whitespace made one space; null when the line cannot be read so.</returns>
    public static IReadOnlyList<string>? Split(string line)
    {
        var commands = new List<string>();
        var current = new StringBuilder();
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            var next = i + 1 < line.Length ? line[i + 1] : '\0';
            if (quote == '\'')
            {
                if (c == '\'') quote = '\0';
                current.Append(c);
                continue;
            }
            if (c == '\\' && next != '\0')
            {
                current.Append(c).Append(next);
                i++;
                continue;
            }
            if (c == '`' || (c == '$' && next == '(')) return null;
            if (quote == '"')
            {
                if (c == '"') quote = '\0';
                current.Append(c);
                continue;
            }
            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    current.Append(c);
                    break;
                case '(' or ')' when IsWordStart(current):
                case '{' when IsWordStart(current) && char.IsWhiteSpace(next):
                    return null; // a subshell or a group: commands inside commands (`{}` alone, find's, is a word)
                case '<' when next is '<' or '(':
                case '>' when next == '(':
                    return null; // a here-document (its body is not commands) or a process substitution
                case '&' when Previous(current) is '>' or '<' || next == '>':
                    current.Append(c); // part of a redirection: 2>&1, &>file
                    break;
                case '&' or '|' or ';' or '\n' or '\r':
                    if (next == c && c is '&' or '|') i++;
                    else if (c == '|' && next == '&') i++;
                    if (!Add(commands, current)) return null;
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }
        if (quote != '\0') return null;
        // A line that ends in an operator (`a &&`) is not a whole command; one that ends in `;` or `&` is.
        var last = current.ToString().Trim();
        if (last.Length > 0) commands.Add(Normalize(last));
        else if (line.TrimEnd() is var trimmed && (trimmed.EndsWith("&&", StringComparison.Ordinal) || trimmed.EndsWith('|'))) return null;
        return commands.Count > 0 ? commands : null;
    }

    /// <returns>False for an empty command between two operators (`a && && b`), which bash refuses too.</returns>
    private static bool Add(List<string> commands, StringBuilder current)
    {
        var command = current.ToString().Trim();
        current.Clear();
        if (command.Length == 0) return false;
        commands.Add(Normalize(command));
        return true;
    }

    private static char Previous(StringBuilder current) => current.Length > 0 ? current[^1] : '\0';

    /// <summary>Whether a parenthesis or brace here starts a word (not inside one, as in <c>${HOME}</c>).</summary>
    private static bool IsWordStart(StringBuilder current) => current.Length == 0 || char.IsWhiteSpace(current[^1]);

    private static string Normalize(string command) =>
        string.Join(' ', command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

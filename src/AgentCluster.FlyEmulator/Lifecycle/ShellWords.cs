using System.Text;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// A command line split into words the way a POSIX shell would, without running one: blanks separate words, single
/// quotes keep everything, double quotes keep all but <c>\" \\ \$ \`</c>, a backslash outside quotes keeps the next
/// character. Nothing is expanded. For exec's deprecated <c>cmd</c>, a string where <c>command</c> is an argv.
/// </summary>
internal static class ShellWords
{
    /// <exception cref="FormatException">A quote is not closed.</exception>
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : (char?)null;
            if (quote == '\'')
            {
                if (c == '\'') quote = null;
                else word.Append(c);
            }
            else if (quote == '"')
            {
                if (c == '"') quote = null;
                else if (c == '\\' && next is '"' or '\\' or '$' or '`') word.Append(text[++i]);
                else word.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                inWord = true;
                if (c is '\'' or '"') quote = c;
                else if (c == '\\' && next is not null) word.Append(text[++i]);
                else word.Append(c);
            }
        }
        if (quote is not null) throw new FormatException($"unterminated {quote} quote");
        if (inWord) words.Add(word.ToString());
        return words;
    }
}

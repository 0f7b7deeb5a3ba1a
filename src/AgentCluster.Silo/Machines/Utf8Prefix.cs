using System.Text;

namespace AgentCluster.Silo.Machines;

/// <summary>The longest start of a text that fits in a number of UTF-8 bytes without cutting a character in two.</summary>
public static class Utf8Prefix
{
    /// <returns>The text, or its prefix and true when it had to be cut.</returns>
    public static (string Text, bool Cut) Of(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return (text, false);
        var chars = 0;
        var bytes = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes) break;
            bytes += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }
        return (text[..chars], true);
    }
}

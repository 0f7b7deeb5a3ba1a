using System.Text;

namespace AgentCluster.Abstractions.Control;

/// <summary>
/// UTF-8 cut at a byte limit without splitting a character: an exec's output is capped in bytes
/// (<see cref="ExecRequest.MaxOutputBytes"/>), by the agent, by the emulator's exec and by the node for Fly's.
/// </summary>
public static class Utf8Cut
{
    /// <summary>How many of <paramref name="bytes"/> end on a whole character: one the end cuts into is left out whole.</summary>
    public static int WholeLength(ReadOnlySpan<byte> bytes)
    {
        var lead = bytes.Length - 1;
        while (lead >= 0 && bytes.Length - lead < 4 && (bytes[lead] & 0xC0) == 0x80) lead--; // back over continuation bytes
        if (lead < 0) return bytes.Length;
        var length = bytes[lead] switch { >= 0xF0 => 4, >= 0xE0 => 3, >= 0xC0 => 2, _ => 1 };
        return bytes.Length - lead < length ? lead : bytes.Length;
    }

    /// <returns><paramref name="text"/>, or its longest start that fits in <paramref name="maxBytes"/> and true when it had to be cut.</returns>
    public static (string Text, bool Cut) Prefix(string text, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return bytes.Length <= maxBytes ? (text, false) : (Encoding.UTF8.GetString(bytes, 0, WholeLength(bytes.AsSpan(0, maxBytes))), true);
    }
}

using System.Text;

namespace AgentCluster.Agent.Runtimes;

/// <summary>
/// Splits a process's output into lines as the bytes arrive, so each line can be sent while the process still
/// runs. Works on bytes rather than a StreamReader so that a line without end (a progress bar, a binary dump)
/// is cut into bounded chunks instead of being held in memory until the process exits.
/// </summary>
internal static class OutputLines
{
    public const int MaxChunkBytes = 16 * 1024;

    /// <param name="line">Called with each line, without its newline, or each chunk of a longer one.</param>
    /// <param name="maxChunkBytes">The longest line passed whole; the buffer grows to it only as long lines need.</param>
    public static async Task PumpAsync(Stream stream, Action<string> line, CancellationToken cancellationToken, int maxChunkBytes = MaxChunkBytes)
    {
        var read = new byte[8 * 1024];
        var current = new byte[Math.Min(maxChunkBytes, MaxChunkBytes)];
        var length = 0;
        int count;
        while ((count = await stream.ReadAsync(read, cancellationToken)) > 0)
        {
            foreach (var b in read.AsSpan(0, count))
            {
                if (b == (byte)'\n')
                {
                    var end = length > 0 && current[length - 1] == (byte)'\r' ? length - 1 : length;
                    line(Encoding.UTF8.GetString(current, 0, end));
                    length = 0;
                    continue;
                }
                if (length == current.Length)
                {
                    if (length < maxChunkBytes) Array.Resize(ref current, Math.Min(maxChunkBytes, 2 * length));
                    else length = EmitChunk(current, length, line);
                }
                current[length++] = b;
            }
        }
        if (length > 0) line(Encoding.UTF8.GetString(current, 0, length));
    }

    /// <summary>Emits a full buffer up to the last character boundary, so no UTF-8 character is split in two.</summary>
    /// <returns>How many bytes (the start of a split character) stay in the buffer.</returns>
    private static int EmitChunk(byte[] buffer, int length, Action<string> line)
    {
        var cut = length;
        var start = length;
        while (start > 0 && (buffer[start - 1] & 0xC0) == 0x80) start--; // continuation bytes
        // Cut before the last character only if it is incomplete; bytes that are not UTF-8 at all are cut anywhere.
        if (start > 0 && buffer[start - 1] >= 0xC0 && CharacterLength(buffer[start - 1]) > length - start + 1) cut = start - 1;
        if (cut == 0) cut = length;
        line(Encoding.UTF8.GetString(buffer, 0, cut));
        var rest = length - cut;
        Array.Copy(buffer, cut, buffer, 0, rest);
        return rest;
    }

    private static int CharacterLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xF0 => 4,
        >= 0xE0 => 3,
        >= 0xC0 => 2,
        _ => 1,
    };
}

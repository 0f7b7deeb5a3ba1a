using System.Text;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.Agent.Control;

/// <summary>
/// One output stream of an exec, read to its end: the first <c>cap</c> bytes are decoded (as UTF-8, a character
/// split across two reads joined again) and handed on as they come; the rest is read and dropped, so the command
/// never blocks on a full pipe, and <see cref="Truncated"/> says so.
/// </summary>
internal sealed class ExecOutput(string stream, int cap, Func<string, string, ValueTask> text)
{
    private const int ReadSize = 16 * 1024;

    private readonly Decoder decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private int kept;

    public bool Truncated { get; private set; }

    /// <param name="cancellationToken">Abandons the read: a process that left the exec's group may hold the pipe open forever.</param>
    public async Task PumpAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new byte[ReadSize];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(ReadSize)];
        int count;
        try
        {
            while ((count = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (Truncated) continue;
                var keep = Math.Min(count, cap - kept);
                if (keep < count)
                {
                    keep = Utf8Cut.WholeLength(buffer.AsSpan(0, keep));
                    Truncated = true;
                }
                kept += keep;
                // At the cap the decoder is flushed: a character cut there could never be completed.
                var decoded = decoder.GetChars(buffer, 0, keep, chars, 0, flush: Truncated);
                if (decoded > 0) await text(stream, new string(chars, 0, decoded));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        if (!Truncated)
        {
            var rest = decoder.GetChars([], 0, 0, chars, 0, flush: true);
            if (rest > 0) await text(stream, new string(chars, 0, rest));
        }
    }
}

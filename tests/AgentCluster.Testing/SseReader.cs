using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace AgentCluster.Testing;

/// <summary>One Server-Sent Events frame; the spans are valid only during the call (they point into the reader's buffers).</summary>
public delegate void SseFrameHandler(long id, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data);

/// <summary>
/// A small SSE parser over bytes, for readers that must keep up with a node writing tens of thousands of
/// events a second on a machine the node shares: no string per line, no JSON unless the handler parses it.
/// It handles what the node and the baseline write (<c>id:</c>, <c>event:</c>, <c>data:</c>, comments) and
/// joins several data lines with a newline, as the SSE spec says.
/// </summary>
public sealed class SseReader
{
    private readonly ArrayBufferWriter<byte> type = new(64);
    private readonly ArrayBufferWriter<byte> data = new(1024);
    private long id = -1;
    private bool hasData;

    /// <summary>Reads <paramref name="stream"/> to its end, calling <paramref name="onFrame"/> for each frame with data.</summary>
    public static async Task ReadAsync(Stream stream, SseFrameHandler onFrame, CancellationToken cancellationToken)
    {
        var parser = new SseReader();
        var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(cancellationToken);
                var consumed = parser.ParseLines(result.Buffer, onFrame);
                pipe.AdvanceTo(consumed, result.Buffer.End);
                if (result.IsCompleted) return;
            }
        }
        finally
        {
            await pipe.CompleteAsync();
        }
    }

    /// <summary>Parses every whole line of <paramref name="buffer"/>; returns where the unfinished last line starts.</summary>
    private SequencePosition ParseLines(ReadOnlySequence<byte> buffer, SseFrameHandler onFrame)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
            ParseLine(line.EndsWith("\r"u8) ? line[..^1] : line, onFrame);
        return reader.Position;
    }

    private void ParseLine(ReadOnlySpan<byte> line, SseFrameHandler onFrame)
    {
        if (line.IsEmpty)
        {
            if (hasData) onFrame(id, type.WrittenSpan, data.WrittenSpan);
            type.ResetWrittenCount();
            data.ResetWrittenCount();
            hasData = false;
            return;
        }
        if (line[0] == ':') return; // a comment: the node's keep-alive
        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (value.StartsWith(" "u8)) value = value[1..];

        if (field.SequenceEqual("data"u8))
        {
            if (hasData) data.Write("\n"u8);
            data.Write(value);
            hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            type.ResetWrittenCount();
            type.Write(value);
        }
        else if (field.SequenceEqual("id"u8))
        {
            id = Utf8Parser.TryParse(value, out long parsed, out var length) && length == value.Length ? parsed : -1;
        }
    }
}

using System.Text;
using AgentCluster.Agent.Runtimes;

namespace AgentCluster.UnitTests.Agent;

public sealed class OutputLinesTests
{
    private static async Task<List<string>> LinesAsync(byte[] bytes, int maxChunkBytes = OutputLines.MaxChunkBytes)
    {
        var lines = new List<string>();
        await OutputLines.PumpAsync(new MemoryStream(bytes), lines.Add, CancellationToken.None, maxChunkBytes);
        return lines;
    }

    [Fact]
    public async Task Lines_lose_their_newline_and_a_last_unterminated_line_is_kept()
    {
        Assert.Equal(["one", "", "two", "three"], await LinesAsync("one\n\ntwo\r\nthree"u8.ToArray()));
    }

    [Fact]
    public async Task A_long_line_is_cut_into_chunks_of_at_most_16_KiB()
    {
        var line = new string('x', 40_000);

        var chunks = await LinesAsync(Encoding.UTF8.GetBytes(line + "\nnext\n"));

        Assert.Equal([16_384, 16_384, 40_000 - 2 * 16_384, 4], chunks.Select(c => c.Length));
        Assert.Equal(line, string.Concat(chunks.Take(3)));
    }

    [Fact]
    public async Task A_chunk_never_splits_a_character()
    {
        // "€" is three bytes: with 4-byte chunks, each chunk can hold only one whole character.
        var chunks = await LinesAsync(Encoding.UTF8.GetBytes("a€€b€"), maxChunkBytes: 4);

        Assert.Equal(["a€", "€b", "€"], chunks);
        Assert.Equal(["ab", "€c"], await LinesAsync(Encoding.UTF8.GetBytes("ab€c"), maxChunkBytes: 4));
    }

    [Fact]
    public async Task A_larger_bound_passes_long_lines_whole_and_still_cuts_past_it()
    {
        var line = new string('x', 100_000);

        var chunks = await LinesAsync(Encoding.UTF8.GetBytes(line + "\n" + line + line + line + "\nnext\n"), maxChunkBytes: 256 * 1024);

        Assert.Equal([100_000, 262_144, 300_000 - 262_144, 4], chunks.Select(c => c.Length));
        Assert.Equal(line, chunks[0]);
    }
}

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>Tells text from binary files, as git and grep do: a NUL byte near the start means binary.</summary>
internal static class TextFiles
{
    private const int Sniff = 8000;

    public static async Task<bool> IsBinaryAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        var buffer = new byte[Sniff];
        var read = await stream.ReadAtLeastAsync(buffer, Sniff, throwOnEndOfStream: false, cancellationToken);
        return buffer.AsSpan(0, read).Contains((byte)0);
    }
}

using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace AgentCluster.Testing;

/// <summary>.tar.gz archives as the tests send and read them: made in memory, read back entry by entry.</summary>
public static class TarGz
{
    public static byte[] Of(params TarEntry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            foreach (var entry in entries) tar.WriteEntry(entry);
        return buffer.ToArray();
    }

    /// <summary>Text files, by path.</summary>
    public static byte[] Of(IReadOnlyDictionary<string, string> files) => Of(files.Select(f => File(f.Key, f.Value)).ToArray());

    public static PaxTarEntry File(string name, string text) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };

    /// <summary>Every entry with its data, by name (a folder's without its trailing '/').</summary>
    public static Dictionary<string, TarEntry> Entries(byte[] archive)
    {
        using var tar = new TarReader(new GZipStream(new MemoryStream(archive), CompressionMode.Decompress));
        var entries = new Dictionary<string, TarEntry>();
        while (tar.GetNextEntry(copyData: true) is { } entry) entries[entry.Name.TrimEnd('/')] = entry;
        return entries;
    }

    public static string Text(TarEntry entry) => new StreamReader(entry.DataStream!).ReadToEnd();
}

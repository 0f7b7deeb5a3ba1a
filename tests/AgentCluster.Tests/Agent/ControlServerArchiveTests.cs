using System.Formats.Tar;
using System.Net;
using System.Net.Http.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.Tests.Agent;

/// <summary>Archives through a real agent's control server: a folder out as .tar.gz and back in elsewhere, and every entry that would escape refused.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ControlServerArchiveTests(ControlServerAgent machine) : IClassFixture<ControlServerAgent>
{
    private string Full(string relative) => Path.Combine(machine.Workspace, relative);

    [Fact]
    public async Task A_folder_goes_out_as_a_tar_gz_and_unpacks_elsewhere_the_same_links_and_modes_included()
    {
        Directory.CreateDirectory(Full("arch/src/sub"));
        Directory.CreateDirectory(Full("arch/src/empty"));
        await File.WriteAllTextAsync(Full("arch/src/a.txt"), "alpha");
        var blob = new byte[300_000];
        new Random(4).NextBytes(blob);
        await File.WriteAllBytesAsync(Full("arch/src/sub/b.bin"), blob);
        await File.WriteAllTextAsync(Full("arch/src/run.sh"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Full("arch/src/run.sh"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Full("arch/src/link"), "a.txt");

        var response = await machine.Client.GetAsync("archive?path=arch/src");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ControlProtocol.GzipContentType, response.Content.Headers.ContentType?.MediaType);
        var archive = await response.Content.ReadAsByteArrayAsync();

        var entries = TarGz.Entries(archive);
        Assert.Equal(["a.txt", "empty", "link", "run.sh", "sub", "sub/b.bin"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(TarEntryType.SymbolicLink, entries["link"].EntryType);
        Assert.Equal("a.txt", entries["link"].LinkName);

        var unpacked = await machine.Client.PutAsync("archive?path=arch/copy", new ByteArrayContent(archive));
        Assert.Equal(HttpStatusCode.OK, unpacked.StatusCode);
        Assert.Equal(new ArchiveUnpacked("arch/copy", 3, 5 + blob.Length + 18), await unpacked.Content.ReadFromJsonAsync<ArchiveUnpacked>(ProtocolJson.Options));
        Assert.Equal("alpha", await File.ReadAllTextAsync(Full("arch/copy/a.txt")));
        Assert.Equal(blob, await File.ReadAllBytesAsync(Full("arch/copy/sub/b.bin")));
        Assert.Equal(await File.ReadAllTextAsync(Full("arch/src/run.sh")), await File.ReadAllTextAsync(Full("arch/copy/run.sh")));
        Assert.True(File.GetUnixFileMode(Full("arch/copy/run.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("a.txt", new FileInfo(Full("arch/copy/link")).LinkTarget);
        Assert.True(Directory.Exists(Full("arch/copy/empty")));

        var workspace = TarGz.Entries(await machine.Client.GetByteArrayAsync("archive"));
        Assert.Contains("arch/src/sub/b.bin", workspace.Keys);
    }

    public static TheoryData<string, TarEntryType, string?> Escapes => new()
    {
        { "../escape.txt", TarEntryType.RegularFile, null },
        { "/tmp/absolute.txt", TarEntryType.RegularFile, null },
        { "deep/../../escape.txt", TarEntryType.RegularFile, null },
        { "%2e%2e/escape.txt", TarEntryType.RegularFile, null },
        { "up", TarEntryType.SymbolicLink, "../../.." },
        { "root", TarEntryType.SymbolicLink, "/" },
        { "hard", TarEntryType.HardLink, "../../etc/passwd" },
        { "fifo", TarEntryType.Fifo, null },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task An_entry_that_would_escape_is_refused_before_any_of_it_is_written(string name, TarEntryType type, string? linkName)
    {
        var folder = $"esc-{Guid.NewGuid():N}";
        var archive = TarGz.Of(
            new PaxTarEntry(TarEntryType.RegularFile, "before.txt") { DataStream = new MemoryStream("b"u8.ToArray()) },
            Entry(type, name, linkName),
            new PaxTarEntry(TarEntryType.RegularFile, "after.txt") { DataStream = new MemoryStream("a"u8.ToArray()) });

        var response = await machine.Client.PutAsync($"archive?path={folder}", new ByteArrayContent(archive));

        await ControlProblems.AssertAsync(response, HttpStatusCode.BadRequest, $"archive entry '{name}'");
        Assert.Equal(["before.txt"], Directory.GetFileSystemEntries(Full(folder)).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(machine.Workspace, "..", "escape.txt")));
        Assert.False(File.Exists("/tmp/absolute.txt"));
    }

    [Fact]
    public async Task A_body_that_is_not_a_tar_gz_is_refused()
    {
        await ControlProblems.AssertAsync(await machine.Client.PutAsync("archive?path=junk", new StringContent("not gzip at all")), HttpStatusCode.BadRequest, "body");
        await ControlProblems.AssertAsync(await machine.Client.GetAsync("archive?path=nowhere"), HttpStatusCode.NotFound, "path");
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, string? linkName)
    {
        var entry = new PaxTarEntry(type, name);
        if (linkName is not null) entry.LinkName = linkName;
        if (type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream("evil"u8.ToArray());
        return entry;
    }

}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.Tests.Agent;

/// <summary>The files endpoints of a real agent's control server: list, read (ETag, 304, Range), atomic write, delete, a large file.</summary>
public sealed class ControlServerFilesTests(ControlServerAgent machine) : IClassFixture<ControlServerAgent>
{
    private HttpClient Client => machine.Client;

    private string Full(string relative) => Path.Combine(machine.Workspace, relative);

    [Fact]
    public async Task A_folder_lists_its_entries_sorted_by_name_with_type_size_and_time()
    {
        var folder = machine.NewFolder("list");
        await File.WriteAllTextAsync(Full("list/b.txt"), "hello");
        Directory.CreateDirectory(Full("list/a-dir"));
        File.CreateSymbolicLink(Full("list/c-link"), "b.txt");
        Assert.Equal(0, Process("mkfifo", Full("list/d-fifo")));

        var list = await Client.GetFromJsonAsync<FileList>($"files?path={folder}", ProtocolJson.Options);

        Assert.Equal("list", list!.Path);
        Assert.Equal(["a-dir", "b.txt", "c-link", "d-fifo"], list.Entries.Select(e => e.Name));
        Assert.Equal(["directory", "file", "symlink", "other"], list.Entries.Select(e => e.Type));
        Assert.Equal([null, 5L, null, null], list.Entries.Select(e => e.Size));
        Assert.InRange(list.Entries[1].Modified, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));

        var root = await Client.GetFromJsonAsync<FileList>("files", ProtocolJson.Options);
        Assert.Equal("", root!.Path);
        Assert.Contains(root.Entries, e => e.Name == "list" && e.Type == "directory");
        await ControlProblems.AssertAsync(await Client.GetAsync("files?path=list/nope"), HttpStatusCode.NotFound, "path");
        await ControlProblems.AssertBadPathAsync(await Client.GetAsync("files?path=list/b.txt"));
    }

    [Fact]
    public async Task A_file_comes_with_its_content_type_and_etag_answers_304_to_it_and_serves_ranges()
    {
        machine.NewFolder("get");
        await File.WriteAllTextAsync(Full("get/data.json"), """{"n":1234567}""");

        var whole = await Client.GetAsync("files/get/data.json");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("application/json", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"n":1234567}""", await whole.Content.ReadAsStringAsync());
        var etag = whole.Headers.ETag!;
        Assert.False(etag.IsWeak);

        using var cached = new HttpRequestMessage(HttpMethod.Get, "files/get/data.json");
        cached.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await Client.SendAsync(cached)).StatusCode);

        using var ranged = new HttpRequestMessage(HttpMethod.Get, "files/get/data.json");
        ranged.Headers.Range = new RangeHeaderValue(5, 11);
        var part = await Client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("1234567", await part.Content.ReadAsStringAsync());
        Assert.Equal(13, part.Content.Headers.ContentRange!.Length);

        // The file changed since the caller's copy: If-Range gets the whole new file, not a piece of it.
        await File.WriteAllTextAsync(Full("get/data.json"), """{"n":7654321,"more":true}""");
        using var stale = new HttpRequestMessage(HttpMethod.Get, "files/get/data.json");
        stale.Headers.Range = new RangeHeaderValue(5, 11);
        stale.Headers.IfRange = new RangeConditionHeaderValue(etag);
        var fresh = await Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("""{"n":7654321,"more":true}""", await fresh.Content.ReadAsStringAsync());
        Assert.NotEqual(etag, fresh.Headers.ETag);

        await File.WriteAllTextAsync(Full("get/blob"), "x");
        Assert.Equal("application/octet-stream", (await Client.GetAsync("files/get/blob")).Content.Headers.ContentType?.MediaType);
        await ControlProblems.AssertAsync(await Client.GetAsync("files/get/missing.txt"), HttpStatusCode.NotFound, "path");
        await ControlProblems.AssertBadPathAsync(await Client.GetAsync("files/get"));
    }

    [Fact]
    public async Task A_put_makes_its_parents_answers_201_then_200_and_replaces_the_file_whole()
    {
        var created = await Client.PutAsync("files/put/deep/er/notes.md", new StringContent("first"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var written = await created.Content.ReadFromJsonAsync<FileWritten>(ProtocolJson.Options);
        Assert.Equal(new FileWritten("put/deep/er/notes.md", 5, created.Headers.ETag!.Tag), written);
        Assert.Equal("first", await File.ReadAllTextAsync(Full("put/deep/er/notes.md")));

        // A reader of the old file keeps reading the old file: the new one is renamed over it, not written into it.
        await using var reader = File.OpenRead(Full("put/deep/er/notes.md"));
        var replaced = await Client.PutAsync("files/put/deep/er/notes.md", new StringContent("second version"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(14, (await replaced.Content.ReadFromJsonAsync<FileWritten>(ProtocolJson.Options))!.Size);
        Assert.Equal("first", await new StreamReader(reader).ReadToEndAsync());
        Assert.Equal("second version", await File.ReadAllTextAsync(Full("put/deep/er/notes.md")));
        Assert.Equal(replaced.Headers.ETag, (await Client.GetAsync("files/put/deep/er/notes.md")).Headers.ETag);

        await ControlProblems.AssertAsync(await Client.PutAsync("files/put/deep", new StringContent("x")), HttpStatusCode.Conflict, "path");
        Assert.Equal(["notes.md"], Directory.GetFileSystemEntries(Full("put/deep/er")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_upload_cut_off_midway_leaves_the_old_file_as_it_was_and_no_partial_file()
    {
        machine.NewFolder("cut");
        await File.WriteAllTextAsync(Full("cut/keep.bin"), "old");

        await Assert.ThrowsAnyAsync<Exception>(() => Client.PutAsync("files/cut/keep.bin", new FailingContent(1024 * 1024)));

        await Eventually.TrueAsync(() => Task.FromResult(Directory.GetFileSystemEntries(Full("cut")).Length == 1), ControlServerAgent.Deadline,
            () => $"the upload's temporary file is gone; the folder holds: {string.Join(", ", Directory.GetFileSystemEntries(Full("cut")))}");
        Assert.Equal("old", await File.ReadAllTextAsync(Full("cut/keep.bin")));
    }

    [Fact]
    public async Task A_delete_removes_a_file_or_a_folder_with_its_content_but_never_the_workspace()
    {
        machine.NewFolder("del/sub");
        await File.WriteAllTextAsync(Full("del/one.txt"), "1");
        await File.WriteAllTextAsync(Full("del/sub/two.txt"), "2");
        File.CreateSymbolicLink(Full("del/link"), "sub");

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync("files/del/one.txt")).StatusCode);
        Assert.False(File.Exists(Full("del/one.txt")));
        // A link goes, not what it points to.
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync("files/del/link")).StatusCode);
        Assert.True(File.Exists(Full("del/sub/two.txt")));
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync("files/del")).StatusCode);
        Assert.False(Directory.Exists(Full("del")));

        await ControlProblems.AssertAsync(await Client.DeleteAsync("files/del"), HttpStatusCode.NotFound, "path");
        await ControlProblems.AssertBadPathAsync(await Client.DeleteAsync("files/"));
        await ControlProblems.AssertBadPathAsync(await Client.DeleteAsync("files"));
        Assert.True(Directory.Exists(machine.Workspace));
    }

    [Fact]
    public async Task A_file_of_48_MiB_goes_in_and_comes_back_whole_streamed_not_held_in_the_agents_memory()
    {
        const int size = 48 * 1024 * 1024;
        var content = new byte[size];
        new Random(18).NextBytes(content);
        var before = PeakRss(machine.Agent.Id);

        var put = await Client.PutAsync("files/big/blob.bin", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await Client.GetAsync("files/big/blob.bin", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(size, get.Content.Headers.ContentLength);
        var back = await get.Content.ReadAsByteArrayAsync();

        Assert.Equal(SHA256.HashData(content), SHA256.HashData(back));
        var growth = PeakRss(machine.Agent.Id) - before;
        Assert.True(growth < size / 2, $"the agent's peak RSS grew by {growth / 1024 / 1024} MiB for a {size / 1024 / 1024} MiB file");
    }

    /// <summary>The process's peak resident set (VmHWM), in bytes.</summary>
    private static long PeakRss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    private static int Process(string program, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(program, args);
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>A body that sends some bytes, then fails: the request is cut off midway.</summary>
    private sealed class FailingContent(int before) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(new byte[before]);
            await stream.FlushAsync();
            throw new IOException("the upload is cut off");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = before * 2L;
            return true;
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Control;

/// <summary>
/// The workspace's files and archives through the node, over real agents: writes, reads with validators and ranges,
/// listings, deletes, archives both ways, every path trick refused, and a 50 MiB file through the node without the node
/// holding it.
/// </summary>
[Collection(ControlNodeCollection.Name)]
public sealed class FilesEndToEndTests(ControlNodeFixture node, ITestOutputHelper output)
{
    private HttpClient Http => node.Http;

    [Fact]
    public async Task A_file_is_written_listed_read_with_its_etag_and_ranges_and_deleted()
    {
        var (id, _) = await node.IdleSessionAsync();

        var created = await Http.PutAsync($"/sessions/{id}/files/notes/today.txt", new StringContent("hello, workspace"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var written = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal(16, written["size"]!.GetValue<long>());
        var replaced = await Http.PutAsync($"/sessions/{id}/files/notes/today.txt", new StringContent("hello, workspace!"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var listing = JsonNode.Parse(await Http.GetStringAsync($"/sessions/{id}/files?path=notes"))!;
        var entry = Assert.Single(listing["entries"]!.AsArray());
        Assert.Equal("today.txt", entry!["name"]!.GetValue<string>());
        Assert.Equal("file", entry["type"]!.GetValue<string>());
        Assert.Equal(17, entry["size"]!.GetValue<long>());

        var read = await Http.GetAsync($"/sessions/{id}/files/notes/today.txt");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("text/plain", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal("hello, workspace!", await read.Content.ReadAsStringAsync());
        var etag = read.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/sessions/{id}/files/notes/today.txt");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await Http.SendAsync(conditional)).StatusCode);

        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/sessions/{id}/files/notes/today.txt");
        ranged.Headers.Range = new RangeHeaderValue(7, 15);
        var part = await Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("workspace", await part.Content.ReadAsStringAsync());
        Assert.Equal("bytes 7-15/17", part.Content.Headers.ContentRange!.ToString());

        // The agent's own turns see what was written.
        var (_, cat) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "cat notes/today.txt" });
        Assert.Equal("hello, workspace!", cat!["stdout"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync($"/sessions/{id}/files/notes/today.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/sessions/{id}/files/notes/today.txt")).StatusCode);
    }

    [Fact]
    public async Task An_archive_goes_in_and_comes_out_with_its_files()
    {
        var (id, _) = await node.IdleSessionAsync();
        var files = new Dictionary<string, string> { ["a.txt"] = "alpha", ["deep/b.txt"] = "beta", ["deep/er/c.txt"] = "gamma" };

        var put = await Http.PutAsync($"/sessions/{id}/archive?path=unpacked", new ByteArrayContent(TarGz.Of(files)));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(3, JsonNode.Parse(await put.Content.ReadAsStringAsync())!["files"]!.GetValue<int>());
        var (_, cat) = await ControlNodeFixture.ExecAsync(Http, id, new { command = "cat unpacked/deep/er/c.txt" });
        Assert.Equal("gamma", cat!["stdout"]!.GetValue<string>());

        var get = await Http.GetAsync($"/sessions/{id}/archive?path=unpacked");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/gzip", get.Content.Headers.ContentType?.MediaType);
        var back = TarGz.Entries(await get.Content.ReadAsByteArrayAsync());
        foreach (var (path, text) in files) Assert.Equal(text, TarGz.Text(back[path]));
    }

    [Theory]
    [InlineData("files/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("files/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("files/.%2e/.%2e/etc/passwd")]
    [InlineData("files?path=..")]
    [InlineData("files?path=../..")]
    [InlineData("files?path=/etc")]
    [InlineData("files?path=%2Fetc")]
    [InlineData("archive?path=..")]
    [InlineData("archive?path=/")]
    public async Task A_path_out_of_the_workspace_is_a_400(string route)
    {
        var (id, _) = await node.SharedSessionAsync();

        var response = await Http.GetAsync($"/sessions/{id}/{route}");

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound,
            $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_symlink_that_leads_out_of_the_workspace_is_refused_both_ways()
    {
        var (id, _) = await node.SharedSessionAsync(); // its first turn made root-link → /, etc-link → /etc, ok-link → inside

        foreach (var route in new[] { "files/root-link/etc/passwd", "files/etc-link/passwd", "files?path=root-link", "files?path=etc-link", "archive?path=etc-link" })
        {
            var response = await Http.GetAsync($"/sessions/{id}/{route}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        var write = await Http.PutAsync($"/sessions/{id}/files/etc-link/owned", new StringContent("x"));
        Assert.Equal(HttpStatusCode.BadRequest, write.StatusCode);
        Assert.False(File.Exists("/etc/owned"));
        // A link that stays inside is fine.
        Assert.Equal(HttpStatusCode.Created, (await Http.PutAsync($"/sessions/{id}/files/ok-link/fine.txt", new StringContent("ok"))).StatusCode);
    }

    [Fact]
    public async Task A_50_MiB_file_goes_in_and_out_through_the_node_without_the_node_holding_it()
    {
        const int size = 50 * 1024 * 1024;
        var (id, _) = await node.IdleSessionAsync();
        var data = RandomNumberGenerator.GetBytes(size);
        var baseline = node.Node.ResidentBytes();
        node.Node.ResetPeakResident();

        var put = await Http.PutAsync($"/sessions/{id}/files/big.bin", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await Http.GetAsync($"/sessions/{id}/files/big.bin", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(size, get.Content.Headers.ContentLength);
        var hash = await SHA256.HashDataAsync(await get.Content.ReadAsStreamAsync());
        var peak = node.Node.PeakResidentBytes();

        Assert.Equal(SHA256.HashData(data), hash);
        var growth = peak - baseline;
        output.WriteLine($"node RSS {baseline / 1048576.0:0.0} MiB before, peak {peak / 1048576.0:0.0} MiB: grew {growth / 1048576.0:0.0} MiB for a 50 MiB file each way");
        Assert.True(growth < size / 2, $"the node's memory grew {growth / 1048576.0:0.0} MiB for a 50 MiB file: it held the file");
    }

    [Fact]
    public async Task A_file_over_the_limit_is_a_413_and_nothing_is_written()
    {
        var (id, _) = await node.IdleSessionAsync();

        // As curl sends a large upload: the node refuses it on its declared length, before any of it is sent.
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/sessions/{id}/files/too-big.bin") { Content = new ByteArrayContent(new byte[ControlNodeFixture.MaxFileBytes + 1]) };
        request.Headers.ExpectContinue = true;
        var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/sessions/{id}/files/too-big.bin")).StatusCode);
    }

    [Fact]
    public async Task Files_are_refused_for_an_unknown_session_and_a_terminated_one()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/sessions/nosuchsession/files")).StatusCode);
        var (id, _) = await node.IdleSessionAsync();
        await Http.DeleteAsync($"/sessions/{id}");
        Assert.Equal(HttpStatusCode.Conflict, (await Http.GetAsync($"/sessions/{id}/files")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PutAsync($"/sessions/{id}/files/x.txt", new StringContent("x"))).StatusCode);
    }
}

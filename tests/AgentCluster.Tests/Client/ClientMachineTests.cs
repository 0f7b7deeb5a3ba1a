using System.Text;
using AgentCluster.Abstractions.Control;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Client;

namespace AgentCluster.Tests.Client;

/// <summary>Exec, files and archives through the client library, in a real session's machine.</summary>
[Collection(ClientNodeCollection.Name)]
public sealed class ClientMachineTests(ClientNodeFixture node)
{
    private AgentClusterClient Client => node.Client;

    [Fact]
    public async Task A_command_runs_answered_whole_or_streamed()
    {
        var id = await IdleSessionAsync();

        var result = await Client.ExecAsync(id, new ExecRequest { Command = ExecCommand.Shell("echo out; echo err >&2; exit 3") });
        var frames = await Client.ExecStreamAsync(id, new ExecRequest { Command = ExecCommand.Of(["bash", "-c", "for i in 1 2 3; do echo $i; done"]) })
            .ToListAsync();

        Assert.Equal((3, "out\n", "err\n", false), (result.ExitCode, result.Stdout, result.Stderr, result.TimedOut));
        var exit = Assert.IsType<ExecStreamEvent.Exit>(frames[^1]);
        Assert.Equal(0, exit.Event.ExitCode);
        Assert.Equal("1\n2\n3\n", string.Concat(frames.OfType<ExecStreamEvent.Output>().Select(o => o.Event.Text)));
        var refused = await Assert.ThrowsAsync<InvalidRequestException>(() => Client.ExecAsync(id, new ExecRequest { Command = ExecCommand.Shell("true"), TimeoutS = 0 }));
        Assert.Equal("timeout_s", refused.Field);
    }

    [Fact]
    public async Task Files_go_up_are_listed_come_down_and_are_deleted()
    {
        var id = await IdleSessionAsync();
        var bytes = Encoding.UTF8.GetBytes("hello from the client\n");

        var upload = new MemoryStream(bytes);
        var written = await Client.UploadFileAsync(id, "notes/hello world.txt", upload);
        var listing = await Client.ListFilesAsync(id, "notes");
        using var down = new MemoryStream();
        await Client.DownloadFileAsync(id, "notes/hello world.txt", down);

        Assert.Equal(("notes/hello world.txt", bytes.Length), (written.Path, (int)written.Size));
        var entry = Assert.Single(listing.Entries);
        Assert.Equal(("hello world.txt", "file", (long?)bytes.Length), (entry.Name, entry.Type, entry.Size));
        Assert.Equal(bytes, down.ToArray());
        Assert.True(upload.CanRead, "the caller's stream is left open");
        Assert.Contains((await Client.ListFilesAsync(id)).Entries, e => e.Name == "notes" && e.Type == "directory");

        await Client.DeleteFileAsync(id, "notes/hello world.txt");
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Client.DownloadFileAsync(id, "notes/hello world.txt", Stream.Null));
        var escape = await Assert.ThrowsAsync<InvalidRequestException>(() => Client.ListFilesAsync(id, "../.."));
        Assert.Equal(400, escape.Status);
    }

    [Fact]
    public async Task An_archive_goes_in_and_comes_back_out()
    {
        var id = await IdleSessionAsync();
        var files = new Dictionary<string, string> { ["a.txt"] = "alpha", ["deep/b.txt"] = "beta" };

        var unpacked = await Client.UploadArchiveAsync(id, "tree", new MemoryStream(TarGz.Of(files)));
        using var archive = new MemoryStream();
        await Client.DownloadArchiveAsync(id, "tree", archive);

        Assert.Equal(2, unpacked.Files);
        var back = TarGz.Entries(archive.ToArray());
        foreach (var (path, text) in files) Assert.Equal(text, TarGz.Text(back[path]));
        var cat = await Client.ExecAsync(id, new ExecRequest { Command = ExecCommand.Shell("cat tree/deep/b.txt") });
        Assert.Equal("beta", cat.Stdout);
    }

    private async Task<string> IdleSessionAsync()
    {
        var id = (await Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "echo ready" })).SessionId;
        await using var events = SessionEvents.Start(Client, id);
        await events.WaitForAsync(e => SessionEvents.TurnCompleted(e, 1), "the first turn runs");
        return id;
    }
}

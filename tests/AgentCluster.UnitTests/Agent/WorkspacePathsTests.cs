using AgentCluster.Agent.Control;

namespace AgentCluster.UnitTests.Agent;

/// <summary>The rules that keep the control server's paths in the workspace, and the checks repeated on what is opened.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WorkspacePathsTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("ws-paths-").FullName;
    private readonly string outside = Directory.CreateTempSubdirectory("ws-outside-").FullName;
    private readonly WorkspacePaths paths;
    private readonly WorkspaceFiles files;

    public WorkspacePathsTests()
    {
        paths = new WorkspacePaths(workspace);
        files = new WorkspaceFiles(paths);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "secret");
    }

    public void Dispose()
    {
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(outside, recursive: true);
    }

    private string Full(string relative) => Path.Combine(workspace, relative);

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData(".", "")]
    [InlineData("a/b.txt", "a/b.txt")]
    [InlineData("a//b/", "a/b")]
    [InlineData("./a/./b", "a/b")]
    [InlineData("a..b/..c", "a..b/..c")]
    [InlineData("a%20b", "a%20b")]
    [InlineData("%2e%2eb", "%2e%2eb")]
    public void A_path_inside_is_kept_as_it_is_written(string? path, string expected) =>
        Assert.Equal(expected, WorkspacePaths.Normalize(path, "path"));

    [Theory]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/..")]
    [InlineData("/etc/passwd")]
    [InlineData("/")]
    [InlineData("%2e%2e/etc")]
    [InlineData("%2E%2E")]
    [InlineData(".%2e/x")]
    [InlineData("%252e%252e/x")]
    [InlineData("%2e")]
    [InlineData("a%2f..%2fb")]
    [InlineData("a%2F%2E%2E")]
    [InlineData("..\\etc")]
    [InlineData("a\\b")]
    [InlineData("a%5c..")]
    [InlineData("a\0b")]
    [InlineData("a%00b")]
    public void A_path_spelt_to_climb_out_is_refused_naming_the_field(string path)
    {
        var refusal = Assert.Throws<ControlRefusal>(() => WorkspacePaths.Normalize(path, "cwd"));
        Assert.Equal(400, refusal.Status);
        Assert.StartsWith("cwd: ", refusal.Message);
    }

    [Fact]
    public void A_link_to_the_root_or_a_folder_outside_is_refused_wherever_it_stands_in_the_path()
    {
        Directory.CreateDirectory(Full("a"));
        File.CreateSymbolicLink(Full("a/root"), "/");
        File.CreateSymbolicLink(Full("a/out"), outside);
        File.CreateSymbolicLink(Full("a/relative-out"), Path.GetRelativePath(Full("a"), outside));
        File.CreateSymbolicLink(Full("a/chain"), "out");
        File.CreateSymbolicLink(Full("a/dangling-out"), Path.Combine(outside, "not-yet", "file"));

        foreach (var path in new[] { "a/root", "a/root/etc/passwd", "a/out", "a/out/secret.txt", "a/out/new/file", "a/relative-out/secret.txt", "a/chain/x", "a/dangling-out" })
            Assert.Equal(400, Assert.Throws<ControlRefusal>(() => paths.Resolve(path)).Status);
    }

    [Fact]
    public void A_link_that_stays_inside_is_followed_and_a_link_loop_is_refused()
    {
        Directory.CreateDirectory(Full("real/deeper"));
        File.CreateSymbolicLink(Full("alias"), "real/deeper");
        // Up from where the link leads, not from where it stands: still inside.
        File.CreateSymbolicLink(Full("real/up"), "deeper/..");
        File.CreateSymbolicLink(Full("loop-a"), "loop-b");
        File.CreateSymbolicLink(Full("loop-b"), "loop-a");

        Assert.Equal(Path.Combine(paths.Root, "alias/x.txt"), paths.Resolve("alias/x.txt").Full);
        Assert.Equal("real/up/deeper", paths.Resolve("real/up/deeper").Relative);
        Assert.Equal(Path.Combine(paths.Root, "real", "deeper", "x"), WorkspacePaths.RealPath(Full("alias/x")));
        Assert.Equal(400, Assert.Throws<ControlRefusal>(() => paths.Resolve("loop-a/x")).Status);
    }

    [Fact]
    public void The_physical_parent_of_a_linked_folder_counts_not_the_parent_the_path_names()
    {
        Directory.CreateDirectory(Path.Combine(outside, "deep"));
        File.CreateSymbolicLink(Full("hop"), Path.Combine(outside, "deep"));

        // hop/.. is the outside folder itself, although the path names the workspace.
        Assert.Equal(WorkspacePaths.RealPath(outside), WorkspacePaths.RealPath(Full("hop") + "/.."));
    }

    [Fact]
    public void A_folder_swapped_for_a_link_out_after_the_check_is_caught_before_reading()
    {
        Directory.CreateDirectory(Full("sub"));
        File.WriteAllText(Full("sub/secret.txt"), "inside");
        var checkedPath = paths.Resolve("sub/secret.txt");

        SwapForLinkOut("sub");

        Assert.Equal(400, Assert.Throws<ControlRefusal>(() => files.OpenRead(checkedPath).Dispose()).Status);
    }

    [Fact]
    public async Task A_folder_swapped_for_a_link_out_after_the_check_is_caught_before_writing_and_nothing_stays_outside()
    {
        Directory.CreateDirectory(Full("sub"));
        var checkedPath = paths.Resolve("sub/new.txt");

        SwapForLinkOut("sub");

        var refusal = await Assert.ThrowsAsync<ControlRefusal>(() => files.WriteAsync(checkedPath, new MemoryStream("x"u8.ToArray()), null, CancellationToken.None));
        Assert.Equal(400, refusal.Status);
        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_file_swapped_for_a_link_out_after_the_check_is_replaced_not_written_through()
    {
        Directory.CreateDirectory(Full("sub"));
        File.WriteAllText(Full("sub/file.txt"), "old");
        var checkedPath = paths.Resolve("sub/file.txt");

        File.Delete(Full("sub/file.txt"));
        File.CreateSymbolicLink(Full("sub/file.txt"), Path.Combine(outside, "secret.txt"));
        var (created, size, _) = await files.WriteAsync(checkedPath, new MemoryStream("new"u8.ToArray()), null, CancellationToken.None);

        Assert.Equal("secret", File.ReadAllText(Path.Combine(outside, "secret.txt")));
        Assert.Null(new FileInfo(Full("sub/file.txt")).LinkTarget);
        Assert.Equal("new", File.ReadAllText(Full("sub/file.txt")));
        Assert.False(created);
        Assert.Equal(3, size);
    }

    [Fact]
    public void The_workspace_itself_cannot_be_deleted_and_a_link_is_deleted_not_its_target()
    {
        Directory.CreateDirectory(Full("kept"));
        File.WriteAllText(Full("kept/f.txt"), "f");
        File.CreateSymbolicLink(Full("link"), "kept");

        Assert.Equal(400, Assert.Throws<ControlRefusal>(() => files.Delete("")).Status);
        Assert.Equal(400, Assert.Throws<ControlRefusal>(() => files.Delete(".")).Status);
        files.Delete("link");

        Assert.True(File.Exists(Full("kept/f.txt")));
        Assert.Equal(404, Assert.Throws<ControlRefusal>(() => files.Delete("link")).Status);
    }

    private void SwapForLinkOut(string folder)
    {
        Directory.Delete(Full(folder), recursive: true);
        File.CreateSymbolicLink(Full(folder), outside);
    }
}

using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent;

namespace AgentCluster.Tests.Agent;

/// <summary>The session's repository cloned into its workspace, from a local bare repository over file://.</summary>
public sealed class WorkspaceRepositoryTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("workspace-repo-").FullName;
    private readonly StringWriter logged = new();
    private readonly string remote;

    public WorkspaceRepositoryTests()
    {
        remote = Path.Combine(root, "origin", "project.git");
        Infrastructure.Git.CreateBare(remote, new Dictionary<string, string> { ["README.md"] = "main\n" });
        var seed = Path.Combine(root, "seed");
        Git(root, "clone", remote, seed);
        Git(seed, "checkout", "-b", "feature");
        File.WriteAllText(Path.Combine(seed, "feature.txt"), "feature\n");
        Git(seed, "add", ".");
        Git(seed, "commit", "-m", "feature");
        Git(seed, "push", "origin", "feature");
    }

    private string Url => new Uri(remote).AbsoluteUri;

    private AgentLog Log => new(logged);

    private string NewWorkspace(params string[] entries)
    {
        var workspace = Path.Combine(root, "ws-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workspace);
        foreach (var entry in entries) Directory.CreateDirectory(Path.Combine(workspace, entry));
        return workspace;
    }

    [Fact]
    public async Task An_empty_workspace_gets_the_checkout_at_its_root_once()
    {
        var workspace = NewWorkspace("lost+found"); // a fresh volume is empty but for this

        var checkout = await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = Url }, Log, CancellationToken.None);

        Assert.Equal(workspace, checkout);
        Assert.Equal("main\n", File.ReadAllText(Path.Combine(workspace, "README.md")));
        Assert.False(File.Exists(Path.Combine(workspace, "feature.txt")));
        Assert.False(Directory.Exists(Path.Combine(workspace, WorkspaceRepository.StagingFolder)));
        Assert.Equal("main", Git(workspace, "rev-parse", "--abbrev-ref", "HEAD"));

        // An agent restarted on the same workspace keeps the work in it.
        File.WriteAllText(Path.Combine(workspace, "README.md"), "edited\n");
        Assert.Equal(workspace, await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = Url }, Log, CancellationToken.None));
        Assert.Equal("edited\n", File.ReadAllText(Path.Combine(workspace, "README.md")));
        Assert.Contains("already has", logged.ToString());
    }

    [Fact]
    public async Task A_branch_is_cloned_alone()
    {
        var workspace = NewWorkspace();

        await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = Url, Branch = "feature" }, Log, CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(workspace, "feature.txt")));
        Assert.Equal("feature", Git(workspace, "rev-parse", "--abbrev-ref", "HEAD"));
        Assert.Equal("origin/feature", Git(workspace, "branch", "-r").Trim()); // --single-branch
    }

    [Fact]
    public async Task A_workspace_with_other_work_gets_the_checkout_in_a_folder_named_after_the_repository()
    {
        var workspace = NewWorkspace("notes");

        var checkout = await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = Url }, Log, CancellationToken.None);

        Assert.Equal(Path.Combine(workspace, "project"), checkout);
        Assert.True(File.Exists(Path.Combine(workspace, "project", "README.md")));
        Assert.True(Directory.Exists(Path.Combine(workspace, "notes")));
        Assert.Equal(checkout, await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = Url }, Log, CancellationToken.None));
    }

    [Fact]
    public async Task A_clone_interrupted_before_is_started_over()
    {
        var workspace = NewWorkspace(WorkspaceRepository.StagingFolder);
        File.WriteAllText(Path.Combine(workspace, WorkspaceRepository.StagingFolder, "half"), "");

        Assert.Equal(workspace, await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = Url }, Log, CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(workspace, "half")));
        Assert.True(File.Exists(Path.Combine(workspace, "README.md")));
    }

    [Fact]
    public async Task No_repository_is_nothing_to_do()
    {
        var workspace = NewWorkspace();
        Assert.Null(await WorkspaceRepository.CloneAsync(workspace, null, Log, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(workspace));
    }

    [Fact]
    public async Task A_failed_clone_says_why_and_names_the_url_without_its_credentials()
    {
        var workspace = NewWorkspace();
        const string secret = "ghp_s3cretTokenValue";
        var url = $"http://agent:{secret}@127.0.0.1:1/org/project.git"; // nothing listens on port 1

        var e = await Assert.ThrowsAsync<RepositoryCloneException>(() =>
            WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = url }, Log, CancellationToken.None));

        Assert.Contains("http://127.0.0.1:1/org/project.git", e.Message);
        Assert.Contains("git exited with", e.Message);
        Assert.DoesNotContain(secret, e.Message);
        Assert.DoesNotContain(secret, logged.ToString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(workspace));

        var missing = await Assert.ThrowsAsync<RepositoryCloneException>(() =>
            WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = Url, Branch = "no-such-branch" }, Log, CancellationToken.None));
        Assert.Contains("no-such-branch", missing.Message);
    }

    [Fact]
    public async Task Credentials_are_used_for_the_clone_only()
    {
        const string password = "p4ss-w0rd";
        await using var server = await DumbHttpGit.StartAsync(Path.GetDirectoryName(remote)!, "agent", password);
        var workspace = NewWorkspace();
        var plain = $"{server.Url}project.git";
        var withCredentials = plain.Replace("http://", $"http://agent:{password}@", StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<RepositoryCloneException>(() =>
            WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = plain }, Log, CancellationToken.None));
        Assert.Contains(plain, refused.Message); // the server wants them: without, no clone

        await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = withCredentials }, Log, CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(workspace, "README.md")));
        Assert.Equal(plain, Git(workspace, "config", "--get", "remote.origin.url"));
        Assert.DoesNotContain(password, File.ReadAllText(Path.Combine(workspace, ".git", "config")));
        Assert.DoesNotContain(password, logged.ToString());
        // The next start recognises the checkout by its URL without credentials.
        Assert.Equal(workspace, await WorkspaceRepository.CloneAsync(workspace, new RepositorySpec { Url = withCredentials }, Log, CancellationToken.None));
    }

    [Theory]
    [InlineData("https://github.com/org/app.git", "app")]
    [InlineData("https://github.com/org/app/", "app")]
    [InlineData("git@github.com:org/tool.git", "tool")]
    [InlineData("https://host/", "host")]
    [InlineData("https://user:pw@host/x/y.git", "y")]
    public void The_folder_is_named_after_the_repository(string url, string folder) =>
        Assert.Equal(folder, WorkspaceRepository.FolderName(WorkspaceRepository.WithoutCredentials(url)));

    [Theory]
    [InlineData("https://x-access-token:ghp_abc@github.com/o/r.git", "https://github.com/o/r.git")]
    [InlineData("https://ghp_abc@github.com/o/r.git", "https://github.com/o/r.git")]
    [InlineData("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git")] // an ssh user is no secret
    [InlineData("ssh://git:pw@host/r.git", "ssh://host/r.git")]
    [InlineData("git@github.com:o/r.git", "git@github.com:o/r.git")]
    [InlineData("https://github.com/o/r.git", "https://github.com/o/r.git")]
    public void Credentials_are_taken_out_of_the_url(string url, string shown) =>
        Assert.Equal(shown, WorkspaceRepository.WithoutCredentials(url));

    private static string Git(string folder, params string[] args) => Infrastructure.Git.Run(folder, args);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { }
    }
}

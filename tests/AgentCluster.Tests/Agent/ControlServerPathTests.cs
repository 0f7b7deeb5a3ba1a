using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace AgentCluster.Tests.Agent;

/// <summary>Every way out of the workspace, through every route of a real agent's control server: 400, and nothing read, written or deleted outside.</summary>
public sealed class ControlServerPathTests : IClassFixture<ControlServerAgent>
{
    private readonly ControlServerAgent machine;

    public ControlServerPathTests(ControlServerAgent machine)
    {
        this.machine = machine;
        Directory.CreateDirectory(Path.Combine(machine.Workspace, "tricks"));
        File.WriteAllText(Path.Combine(machine.Outside, "secret.txt"), "secret");
        Link("tricks/to-root", "/");
        Link("tricks/to-outside", machine.Outside);
        Link("tricks/dangling-out", Path.Combine(machine.Outside, "new.txt"));
        Link("tricks/relative-out", "../../" + Path.GetFileName(machine.Outside));
    }

    private void Link(string relative, string target)
    {
        var path = Path.Combine(machine.Workspace, relative);
        if (new FileInfo(path).LinkTarget is null) File.CreateSymbolicLink(path, target);
    }

    public static TheoryData<string, string> Tricks => new()
    {
        { "GET", "files/tricks/../../etc/passwd" },
        { "GET", "files/tricks/%2e%2e/%2e%2e/etc/passwd" },
        { "GET", "files/tricks/.%2E/.%2e/etc/passwd" },
        { "GET", "files/tricks/%252e%252e/%252e%252e/etc/passwd" },
        { "GET", "files/tricks/..%2f..%2fetc/passwd" },
        { "GET", "files/tricks%5c..%5c..%5cetc%5cpasswd" },
        { "GET", "files?path=/etc" },
        { "GET", "files?path=.." },
        { "GET", "files?path=tricks/%2e%2e/%2e%2e" },
        { "GET", "files/tricks/to-root/etc/passwd" },
        { "GET", "files?path=tricks/to-root" },
        { "GET", "files/tricks/to-outside/secret.txt" },
        { "GET", "files/tricks/relative-out/secret.txt" },
        { "GET", "files?path=tricks/to-outside" },
        { "PUT", "files/tricks/to-outside/new.txt" },
        { "PUT", "files/tricks/to-root/tmp/new.txt" },
        { "PUT", "files/tricks/dangling-out" },
        { "PUT", "files/tricks/../../new.txt" },
        { "DELETE", "files/tricks/to-outside/secret.txt" },
        { "DELETE", "files/tricks/to-outside" },
        { "DELETE", "files/tricks/%2e%2e" },
        { "GET", "archive?path=tricks/to-outside" },
        { "GET", "archive?path=/" },
        { "GET", "archive?path=../" },
        { "PUT", "archive?path=tricks/to-outside" },
        { "PUT", "archive?path=../outside" },
    };

    [Theory]
    [MemberData(nameof(Tricks))]
    public async Task A_path_out_of_the_workspace_is_refused_with_400_and_nothing_outside_changes(string method, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), machine.Raw(pathAndQuery));
        if (method == "PUT") request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("overwritten"));

        await ControlProblems.AssertBadPathAsync(await machine.Client.SendAsync(request));

        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(machine.Outside).Select(Path.GetFileName));
        Assert.Equal("secret", await File.ReadAllTextAsync(Path.Combine(machine.Outside, "secret.txt")));
    }

    [Fact]
    public async Task A_NUL_in_a_path_is_refused()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await machine.Client.GetAsync(machine.Raw("files/tricks/a%00b"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await machine.Client.GetAsync(machine.Raw("files?path=tricks%00"))).StatusCode);
    }

    [Fact]
    public async Task An_exec_cwd_out_of_the_workspace_is_refused()
    {
        foreach (var cwd in new[] { "..", "/tmp", "tricks/to-outside", "tricks/%2e%2e/.." })
            await ControlProblems.AssertAsync(await machine.Client.PostAsJsonAsync("exec", new { command = "true", cwd }), HttpStatusCode.BadRequest, "cwd");
    }

    [Fact]
    public async Task A_link_that_stays_inside_is_followed()
    {
        Directory.CreateDirectory(Path.Combine(machine.Workspace, "tricks/real"));
        await File.WriteAllTextAsync(Path.Combine(machine.Workspace, "tricks/real/in.txt"), "inside");
        Link("tricks/alias", "real");

        Assert.Equal("inside", await machine.Client.GetStringAsync("files/tricks/alias/in.txt"));
    }
}

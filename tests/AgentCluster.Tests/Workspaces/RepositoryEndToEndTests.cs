using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Workspaces;

/// <summary>A session's repository, cloned by its agent before the first turn; a clone that fails says why in every turn.</summary>
public sealed class RepositoryEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string root = Directory.CreateTempSubdirectory("repo-e2e-").FullName;

    [Fact]
    public async Task The_first_turn_runs_in_the_cloned_repository_and_a_bad_one_fails_each_turn_with_the_reason()
    {
        var remote = Path.Combine(root, "origin", "project.git");
        Git.CreateBare(remote, new Dictionary<string, string> { ["HELLO.md"] = "from the repository\n" });
        Git.ServeToMachines(root, remote);
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());

        var id = await CreateAsync(node, new { prompt = "cat HELLO.md", runtime = "shell", repository = new { url = new Uri(remote).AbsoluteUri, branch = "main" } });
        await using (var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events"))
        {
            var done = await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn completes");
            Assert.Equal("success", done.Payload["outcome"]!.GetValue<string>());
            Assert.Contains(stream.Received, e => e.Type == "agent.output" && e.Text() == "from the repository");
        }

        var missing = new Uri(Path.Combine(root, "missing.git")).AbsoluteUri;
        var bad = await CreateAsync(node, new { prompt = "echo never", runtime = "shell", repository = new { url = missing } });
        await using (var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{bad}/events"))
        {
            var done = await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn ends");
            Assert.Equal("error", done.Payload["outcome"]!.GetValue<string>());
            var error = Assert.Single(stream.Received, e => e.Type == "session.error");
            Assert.Contains("missing.git", error.Payload["message"]!.GetValue<string>());
            Assert.DoesNotContain(stream.Received, e => e.Type == "agent.output");
        }
    }

    private static async Task<string> CreateAsync(NodeHost node, object body)
    {
        var created = await node.Http.PostAsJsonAsync("/sessions", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
    }

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { }
    }
}

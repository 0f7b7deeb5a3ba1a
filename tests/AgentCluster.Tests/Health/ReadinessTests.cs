using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Health;

/// <summary>
/// <c>/health/ready</c> over real dependencies: a node on a real redis-server is ready; with Redis gone it is not,
/// naming Redis, while <c>/health</c> (liveness) stays 200; Redis back, ready again. A Machines API that cannot be
/// reached makes it not ready, naming it. Neither endpoint needs a key.
/// </summary>
public sealed class ReadinessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_node_is_ready_with_Redis_not_ready_while_Redis_is_down_and_ready_again_once_it_is_back()
    {
        await using var redis = await RedisHost.StartAsync();
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string> { ["REDIS_URL"] = redis.Url });

        var ready = await WaitForAsync(node, HttpStatusCode.OK, "the node is ready on a live Redis");
        Assert.Equal(["claude_code_cli", "machines_api", "redis", "silo"], Checks(ready).Select(c => c.Name).Order());
        Assert.All(Checks(ready), c => Assert.Equal("healthy", c.Status));

        await redis.KillAsync();
        var down = await WaitForAsync(node, HttpStatusCode.ServiceUnavailable, "the node is not ready without Redis");
        Assert.Equal("unhealthy", down["status"]!.GetValue<string>());
        var failing = Assert.Single(Checks(down), c => c.Status == "unhealthy");
        Assert.Equal("redis", failing.Name);
        Assert.False(string.IsNullOrWhiteSpace(failing.Reason));
        Assert.DoesNotContain(redis.Port.ToString(), down.ToJsonString()); // the reason says what failed, not where
        using (var live = await node.Http.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode); // alive all along: nothing should restart it

        await redis.StartAgainAsync();
        await WaitForAsync(node, HttpStatusCode.OK, "the node is ready again once Redis is back");
    }

    [Fact]
    public async Task A_node_that_cannot_reach_the_Machines_API_is_not_ready_and_says_so()
    {
        var deadPort = Ports.FreeLoopback(); // nothing listens there
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["FLY_API_URL"] = $"http://127.0.0.1:{deadPort}",
            ["FLY_API_TOKEN"] = "fo1_not-a-real-token",
            ["FLY_APP_NAME"] = "agents-nowhere",
        });

        var report = await WaitForAsync(node, HttpStatusCode.ServiceUnavailable, "the node is not ready without the Machines API");
        var failing = Assert.Single(Checks(report), c => c.Status == "unhealthy");
        Assert.Equal("machines_api", failing.Name);
        Assert.Contains("Machines API", failing.Reason);
        Assert.DoesNotContain("fo1_not-a-real-token", report.ToJsonString());
        Assert.Equal("healthy", Checks(report).Single(c => c.Name == "silo").Status);
        using var live = await node.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task A_node_whose_sessions_default_to_claude_code_without_the_CLI_says_so_once_at_start_and_is_ready_but_degraded()
    {
        // The agents inherit the node's PATH: here only dotnet, to run them, and no claude.
        var bin = Directory.CreateTempSubdirectory("node-path-").FullName;
        // A root node runs its agents as nobody, who must be able to look through it (it is made private, 700).
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(bin, File.GetUnixFileMode(bin) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.CreateSymbolicLink(Path.Combine(bin, "dotnet"),
            Environment.GetEnvironmentVariable("PATH")!.Split(Path.PathSeparator).Select(d => Path.Combine(d, "dotnet")).First(File.Exists));
        try
        {
            await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
            {
                ["PATH"] = bin,
                ["Sessions__DefaultRuntime"] = "claude-code",
                ["ANTHROPIC_API_KEY"] = "sk-ant-not-used",
            });

            var report = await WaitForAsync(node, HttpStatusCode.OK, "a node without the CLI still serves");
            Assert.Equal("degraded", report["status"]!.GetValue<string>());
            var cli = Assert.Single(Checks(report), c => c.Status != "healthy");
            Assert.Equal(("claude_code_cli", "degraded"), (cli.Name, cli.Status));
            Assert.Contains("tools/claude-code/install.sh", cli.Reason);
            var said = node.Log.Split('\n').Where(line => line.Contains("Claude Code CLI not found")).ToList();
            Assert.Single(said);
            Assert.Contains("npm i -g @anthropic-ai/claude-code", said[0]);

            // A session that asks for it anyway is told, as before, in its stream.
            var created = await node.Http.PostAsJsonAsync("/sessions", new { prompt = "hello" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
            await using var stream = await SseStream.OpenAsync(node.Http, $"/sessions/{id}/events");
            var error = await stream.WaitForAsync(e => e.Type == "session.error", Deadline, "the session says the CLI is missing");
            Assert.Contains("CLAUDE_CODE_PATH", error.Payload["message"]!.GetValue<string>());
            await node.Http.DeleteAsync($"/sessions/{id}");
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    private static async Task<JsonObject> WaitForAsync(NodeHost node, HttpStatusCode status, string because)
    {
        JsonObject? last = null;
        var seen = "";
        await Eventually.TrueAsync(async () =>
        {
            using var response = await node.Http.GetAsync("/health/ready");
            seen = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode != status || response.Content.Headers.ContentType?.MediaType != "application/json") return false;
            last = JsonNode.Parse(seen[4..])!.AsObject();
            return true;
        }, Deadline, () => $"{because}; last answer: {seen}");
        return last!;
    }

    private static IEnumerable<(string Name, string Status, string Reason)> Checks(JsonObject report) =>
        report["checks"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["status"]!.GetValue<string>(), c["reason"]?.GetValue<string>() ?? ""));
}

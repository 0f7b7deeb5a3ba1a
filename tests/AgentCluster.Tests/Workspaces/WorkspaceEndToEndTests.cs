using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Workspaces;

/// <summary>
/// A persistent workspace over real processes: a node on its embedded emulator, real agents running shell
/// turns in /workspace (in the emulator, the volume's folder: hence relative paths), a client over HTTP.
/// </summary>
public sealed class WorkspaceEndToEndTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The app of the node's embedded emulator (EmbeddedFly.DefaultApp).</summary>
    private const string App = "agentcluster-agents";
    private readonly string data = Directory.CreateTempSubdirectory("workspace-e2e-").FullName;

    [Fact]
    public async Task A_named_workspace_keeps_its_files_through_sleep_and_across_sessions_one_session_at_a_time()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["FlyEmulator__DataDirectory"] = data, // where the embedded emulator keeps volumes, to look into
            ["Sessions__IdleTimeout"] = "00:00:01",
            ["Reaper__SweepInterval"] = "00:00:01",
        });
        var http = node.Http;

        var first = await CreateAsync(http, "echo 1 > note.txt", "w1");
        Assert.Equal("w1", first["workspace"]!.GetValue<string>());
        var firstId = first["session_id"]!.GetValue<string>();
        await using (var stream = await SseStream.OpenAsync(http, $"/sessions/{firstId}/events"))
        {
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn writes the file");
            var workspace = (await http.GetFromJsonAsync<JsonObject>("/workspaces/w1"))!;
            Assert.Equal(firstId, workspace["session_id"]!.GetValue<string>());
            var folder = VolumeFolder(workspace["volume_id"]!.GetValue<string>());
            Assert.Equal("1", File.ReadAllText(Path.Combine(folder, "note.txt")).Trim());

            // Idle past its timeout, the machine is stopped; a message starts it again, on the same volume.
            await stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == "sleeping", Deadline, "the session sleeps");
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync($"/sessions/{firstId}/messages", new { content = "echo 2 >> note.txt; cat note.txt" })).StatusCode);
            await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "the woken session runs its turn");
            Assert.Equal(["1", "2"], stream.Received.Where(e => e.Turn == 2 && e.Type == "agent.output").Select(e => e.Text()));
        }
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/sessions/{firstId}")).StatusCode);

        var second = await CreateAsync(http, "cat note.txt", "w1");
        var secondId = second["session_id"]!.GetValue<string>();
        await using (var stream = await SseStream.OpenAsync(http, $"/sessions/{secondId}/events"))
        {
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the next session reads the file");
            Assert.Equal(["1", "2"], stream.Received.Where(e => e.Type == "agent.output").Select(e => e.Text()));
        }

        var third = await http.PostAsJsonAsync("/sessions", new { prompt = "true", workspace = new { name = "w1" } });
        var conflict = await Problems.AssertAsync(third, HttpStatusCode.Conflict, secondId);
        Assert.Equal("workspace.name", conflict["field"]!.GetValue<string>());
        var listed = (await http.GetFromJsonAsync<JsonObject>("/workspaces"))!["workspaces"]!.AsArray();
        var w1 = Assert.Single(listed, w => w!["name"]!.GetValue<string>() == "w1")!;
        Assert.Equal(secondId, w1["session_id"]!.GetValue<string>());
        await Problems.AssertAsync(await http.DeleteAsync("/workspaces/w1"), HttpStatusCode.Conflict, secondId);

        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/sessions/{secondId}")).StatusCode);
        var deleted = await http.DeleteAsync("/workspaces/w1");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var volumeId = (await deleted.Content.ReadFromJsonAsync<JsonObject>())!["volume_id"]!.GetValue<string>();
        Assert.False(Directory.Exists(VolumeFolder(volumeId)), "the volume is gone from the emulator with its data");
        await Problems.AssertAsync(await http.GetAsync("/workspaces/w1"), HttpStatusCode.NotFound, "w1");
        await Problems.AssertAsync(await http.GetAsync("/workspaces/Not-A-Name"), HttpStatusCode.BadRequest, "workspace name");
        await Problems.AssertAsync(await http.PostAsJsonAsync("/sessions", new { prompt = "true", workspace = new { name = "W 1" } }),
            HttpStatusCode.BadRequest, "workspace.name");
    }

    private static async Task<JsonObject> CreateAsync(HttpClient http, string prompt, string workspace)
    {
        var created = await http.PostAsJsonAsync("/sessions", new { prompt, workspace = new { name = workspace } });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private string VolumeFolder(string volumeId) => Path.Combine(data, App, volumeId);

    public void Dispose()
    {
        try { Directory.Delete(data, recursive: true); }
        catch (IOException) { }
    }
}

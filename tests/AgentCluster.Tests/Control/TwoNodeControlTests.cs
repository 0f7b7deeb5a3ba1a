using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Control;

/// <summary>
/// Exec and files on a two-node cluster on a real Redis, through the node that does not hold the session's grain: that
/// node asks the grain (on the other node) for the way in, then reaches the machine itself.
/// </summary>
public sealed class TwoNodeControlTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Exec_and_files_work_through_the_node_that_does_not_hold_the_session()
    {
        await using var cluster = await NodeCluster.StartAsync(nodes: 2);
        var id = await NodeCluster.CreateSessionAsync(cluster.Nodes[0], "echo ready");
        var host = await cluster.HostOfAsync(id);
        var other = cluster.Nodes.Single(n => n != host).Http;
        await using (var stream = await SseStream.OpenSessionAsync(other, id))
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn runs");

        var exec = await other.PostAsJsonAsync($"/sessions/{id}/exec", new { command = "hostname; echo through the other node" });
        var result = JsonNode.Parse(await exec.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, exec.StatusCode);
        Assert.Equal("agent", result["via"]!.GetValue<string>());
        Assert.EndsWith("through the other node\n", result["stdout"]!.GetValue<string>());

        var frames = await ControlNodeFixture.ExecStreamAsync(other, id, new { command = "echo streamed" });
        Assert.Equal("exec.exit", frames[^1].EventType);

        Assert.Equal(HttpStatusCode.Created, (await other.PutAsync($"/sessions/{id}/files/from-other.txt", new StringContent("written via the other node"))).StatusCode);
        Assert.Equal("written via the other node", await host.Http.GetStringAsync($"/sessions/{id}/files/from-other.txt"));
        var (_, cat) = await ControlNodeFixture.ExecAsync(host.Http, id, new { command = "cat from-other.txt" });
        Assert.Equal("written via the other node", cat!["stdout"]!.GetValue<string>());
    }
}

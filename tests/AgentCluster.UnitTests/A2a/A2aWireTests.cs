using System.Text.Json;
using System.Text.Json.Nodes;
using AgentCluster.Silo.A2a;

namespace AgentCluster.UnitTests.A2a;

/// <summary>The same task and events in A2A v1's shapes and in v0.3's, as each version's clients read them.</summary>
public sealed class A2aWireTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 12, 0, 0, 250, TimeSpan.Zero);
    private static readonly A2aTask Done = new("s-t1", "s", new A2aStatus(A2aTaskState.Completed, At, "hi"), "hi");

    [Fact]
    public void V1_writes_ProtoJSON_enums_and_wraps_results_by_their_kind()
    {
        var wire = new A2aWire(A2aVersion.V1);
        Assert.Equal(
            """{"task":{"id":"s-t1","contextId":"s","status":{"state":"TASK_STATE_COMPLETED","timestamp":"2026-12-05T12:00:00.250Z","message":{"messageId":"s-t1-completed","contextId":"s","taskId":"s-t1","role":"ROLE_AGENT","parts":[{"text":"hi"}]}},"artifacts":[{"artifactId":"result","name":"answer","parts":[{"text":"hi"}]}]}}""",
            Json(wire.SendResult(Done)));
        Assert.Equal("""{"statusUpdate":{"taskId":"s-t1","contextId":"s","status":{"state":"TASK_STATE_WORKING","timestamp":"2026-12-05T12:00:00.250Z"}}}""",
            Json(wire.StreamResult(new A2aStatusUpdate("s-t1", "s", new A2aStatus(A2aTaskState.Working, At), Final: false))));
        Assert.Equal("""{"artifactUpdate":{"taskId":"s-t1","contextId":"s","artifact":{"artifactId":"result","name":"answer","parts":[{"text":"h"}]},"append":true,"lastChunk":false}}""",
            Json(wire.StreamResult(new A2aArtifactUpdate("s-t1", "s", "h", Append: true, LastChunk: false))));
        Assert.Equal("s-t1", wire.StreamResult(new A2aTaskEvent(Done))["task"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void V03_tags_each_object_with_its_kind_writes_lower_case_states_and_marks_the_final_update()
    {
        var wire = new A2aWire(A2aVersion.V03);
        var task = wire.SendResult(Done);
        Assert.Equal(("task", "completed", "agent", "message"), (Str(task, "kind"), Str(task["status"]!, "state"), Str(task["status"]!["message"]!, "role"), Str(task["status"]!["message"]!, "kind")));
        Assert.Equal("""[{"kind":"text","text":"hi"}]""", Json(task["artifacts"]![0]!["parts"]!));
        Assert.Equal(
            """{"kind":"status-update","taskId":"s-t1","contextId":"s","status":{"state":"canceled","timestamp":"2026-12-05T12:00:00.250Z"},"final":true}""",
            Json(wire.StreamResult(new A2aStatusUpdate("s-t1", "s", new A2aStatus(A2aTaskState.Canceled, At), Final: true))));
        Assert.Equal("artifact-update", Str(wire.StreamResult(new A2aArtifactUpdate("s-t1", "s", "h", false, false)), "kind"));
        Assert.Equal("task", Str(wire.StreamResult(new A2aTaskEvent(Done)), "kind"));
    }

    private static string Str(JsonNode node, string name) => node[name]!.GetValue<string>();

    private static string Json(JsonNode node) => node.ToJsonString(A2aWire.Json);
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Tests.OpenAi;

namespace AgentCluster.Tests.A2a;

/// <summary>
/// The official <c>@a2a-js/sdk</c> client (tests/a2a-js, v1 protocol, <c>ClientFactory.createFromUrl</c>) against a real
/// node: a blocking message, the same context's next message streamed, GetTask, a long turn canceled mid-stream, and an
/// unknown task as the client's own TaskNotFoundError.
/// </summary>
[Collection(OpenAiNodeFixture.Collection)]
public sealed class A2aJsClientTests(OpenAiNodeFixture fixture)
{
    [Fact]
    public async Task The_official_client_sends_streams_gets_and_cancels_tasks_that_are_turns_of_sessions()
    {
        var (exitCode, output) = await NpmFolder.RunAsync("a2a-js", "a2a.mjs", new Dictionary<string, string>
        {
            ["AGENTCLUSTER_URL"] = fixture.Node.Url,
            ["AGENTCLUSTER_API_KEY"] = fixture.Key,
        }, OpenAiNodeFixture.Deadline);
        Assert.True(exitCode == 0, output);
        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;

        var blocking = result["blocking"]!;
        var context = Str(blocking, "contextId");
        Assert.Equal(($"{context}-t1", "TASK_STATE_COMPLETED", "a2a-blocking\n", "a2a-blocking\n"),
            (Str(blocking, "id"), Str(blocking, "state"), Str(blocking, "artifact"), Str(blocking, "status")));

        // The next message of the same context is the session's turn 2, streamed as it ran.
        var events = result["streamed"]!["events"]!.AsArray().Select(e => e!).ToList();
        Assert.Equal(("task", $"{context}-t2", context, "TASK_STATE_SUBMITTED"), (Str(events[0], "kind"), Str(events[0], "id"), Str(events[0], "contextId"), Str(events[0], "state")));
        Assert.Contains(events, e => Str(e, "kind") == "statusUpdate" && Str(e, "state") == "TASK_STATE_WORKING");
        var pieces = events.Where(e => Str(e, "kind") == "artifactUpdate").ToList();
        Assert.Equal("one\ntwo\n", string.Concat(pieces.Select(p => Str(p, "text"))));
        Assert.True(pieces.Count(p => Str(p, "text").Length > 0) >= 2, output); // the answer came in pieces, as the turn wrote it
        Assert.True(pieces[^1]["lastChunk"]!.GetValue<bool>());
        Assert.Equal(("statusUpdate", "TASK_STATE_COMPLETED"), (Str(events[^1], "kind"), Str(events[^1], "state")));
        var session = await fixture.Http.GetFromJsonAsync<JsonObject>($"/sessions/{context}");
        Assert.Equal(2, session!["turns"]!.GetValue<int>());

        var got = result["got"]!;
        Assert.Equal(($"{context}-t2", "TASK_STATE_COMPLETED", "one\ntwo\n"), (Str(got, "id"), Str(got, "state"), Str(got, "artifact")));

        // CancelTask interrupted a turn that would have run two minutes: the task, its stream and a later read say canceled.
        var canceled = result["canceled"]!;
        Assert.Equal(("TASK_STATE_CANCELED", "TASK_STATE_CANCELED", "TASK_STATE_CANCELED"), (Str(canceled, "state"), Str(canceled, "streamFinal"), Str(canceled, "after")));
        var interrupted = await fixture.Http.GetFromJsonAsync<JsonObject>($"/sessions/{Str(canceled, "id")[..^"-t1".Length]}");
        Assert.Equal("interrupted", interrupted!["result"]!["outcome"]!.GetValue<string>());

        Assert.Equal("TaskNotFoundError", Str(result["missing"]!, "name"));
    }

    private static string Str(JsonNode node, string name) => node[name]!.GetValue<string>();
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Client;

namespace AgentCluster.Tests.Client;

/// <summary>A session's whole life through the client library, against a real node with agents running shell turns.</summary>
[Collection(ClientNodeCollection.Name)]
public sealed class ClientSessionTests(ClientNodeFixture node)
{
    private AgentClusterClient Client => node.Client;

    [Fact]
    public async Task A_session_is_created_streamed_followed_up_interrupted_and_deleted_with_every_event_once()
    {
        var created = await Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "echo first turn", Metadata = new() { ["by"] = "client" } });
        Assert.StartsWith("ses_", created.SessionId);
        Assert.Equal("client", created.Metadata!["by"]);
        var id = created.SessionId;
        await using var events = SessionEvents.Start(Client, id);

        var first = await events.WaitForAsync(e => SessionEvents.TurnCompleted(e, 1), "the first turn completes");
        Assert.Equal("success", SessionEvents.Payload(first)["outcome"]!.GetValue<string>());
        Assert.Contains(events.Received, e => e.Type == EventTypes.AgentOutput && e.Turn == 1 && SessionEvents.Payload(e)["text"]!.GetValue<string>().Contains("first turn"));

        var followUp = await Client.SendMessageAsync(id, "echo second turn");
        Assert.Equal(new SendMessageResponse(id, 2), followUp);
        await events.WaitForAsync(e => SessionEvents.TurnCompleted(e, 2), "the follow-up completes");

        await Client.SendMessageAsync(id, "echo started; sleep 60");
        await events.WaitForAsync(e => e.Type == EventTypes.AgentOutput && e.Turn == 3, "the long turn runs");
        Assert.Equal(new InterruptResponse(id, 3), await Client.InterruptAsync(id));
        var interrupted = await events.WaitForAsync(e => SessionEvents.TurnCompleted(e, 3), "the long turn ends");
        Assert.Equal("interrupted", SessionEvents.Payload(interrupted)["outcome"]!.GetValue<string>());

        var view = await Client.GetSessionAsync(id);
        Assert.Equal(3, view.Turns);
        Assert.Contains(await AllSessionsAsync(), s => s.SessionId == id);

        var deleted = await Client.DeleteSessionAsync(id);
        Assert.Equal(SessionStatus.Terminated, deleted.Status);
        await events.Reading.WaitAsync(ClientNodeFixture.Deadline); // the stream ends by itself after the terminal event
        var received = events.Received;
        Assert.True(AgentClusterClient.IsEnd(received[^1]), $"the last event is the terminal status: {received[^1].Payload}");
        Assert.Equal(Enumerable.Range(1, received.Count).Select(i => (long)i), received.Select(e => e.Seq)); // none lost, none twice
        Assert.Equal(deleted.LastEventId, received[^1].Seq);
        await Assert.ThrowsAsync<ConflictException>(() => Client.SendMessageAsync(id, "echo too late"));
    }

    [Fact]
    public async Task A_restart_makes_a_new_machine_for_the_same_session()
    {
        var created = await Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "echo before" });
        await using var events = SessionEvents.Start(Client, created.SessionId);
        await events.WaitForAsync(e => SessionEvents.TurnCompleted(e, 1), "the first turn completes");

        var restarted = await Client.RestartAsync(created.SessionId);

        Assert.Equal(SessionStatus.Starting, restarted.Status);
        Assert.NotEqual(created.MachineId, restarted.MachineId);
        var starting = await events.WaitForAsync(e => e.Type == EventTypes.SessionStatus && SessionEvents.Payload(e)["reason"]?.GetValue<string>() == "restarted",
            "the session starts again, restarted");
        await events.WaitForAsync(e => e.Seq > starting.Seq && e.Type == EventTypes.SessionStatus && SessionEvents.Payload(e)["status"]!.GetValue<string>() == "idle",
            "the new machine's agent calls in");
        await Client.DeleteSessionAsync(created.SessionId);
    }

    [Fact]
    public async Task Reading_a_terminated_sessions_stream_from_its_end_ends_at_once()
    {
        var created = await Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "echo short" });
        var deleted = await Client.DeleteSessionAsync(created.SessionId);

        var all = await Client.StreamEventsAsync(created.SessionId).ToListAsync().AsTask().WaitAsync(ClientNodeFixture.Deadline);
        var none = await Client.StreamEventsAsync(created.SessionId, after: deleted.LastEventId).ToListAsync().AsTask().WaitAsync(ClientNodeFixture.Deadline);

        Assert.Equal(deleted.LastEventId, all[^1].Seq);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Sessions_are_listed_a_page_at_a_time()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "true" })).SessionId);

        var first = await Client.ListSessionsAsync(limit: 2);
        var rest = await Client.ListSessionsAsync(first.NextCursor, limit: 2);

        Assert.Equal(2, first.Sessions.Count);
        Assert.NotNull(first.NextCursor);
        Assert.Equal(ids[^2..].AsEnumerable().Reverse(), first.Sessions.Select(s => s.SessionId)); // newest first
        Assert.Equal(ids[0], rest.Sessions[0].SessionId);
        foreach (var id in ids) await Client.DeleteSessionAsync(id);
    }

    [Fact]
    public async Task Presets_and_workspaces_are_read()
    {
        var presets = await Client.ListPresetsAsync();
        Assert.NotEmpty(presets.Presets);
        var one = await Client.GetPresetAsync(presets.Presets[0].Id);
        Assert.Equal((presets.Presets[0].Id, presets.Presets[0].Runtime, presets.Presets[0].Model), (one.Id, one.Runtime, one.Model));

        var created = await Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "true", Workspace = new WorkspaceSpec { Name = "client_ws" } });
        var workspace = await Client.GetWorkspaceAsync("client_ws");
        Assert.Equal(created.SessionId, workspace.SessionId);
        Assert.Contains((await Client.ListWorkspacesAsync()).Workspaces, w => w.Name == "client_ws");

        await Assert.ThrowsAsync<ConflictException>(() => Client.DeleteWorkspaceAsync("client_ws")); // a live session uses it
        await Client.DeleteSessionAsync(created.SessionId);
        await Eventually.TrueAsync(async () =>
        {
            try { await Client.DeleteWorkspaceAsync("client_ws"); return true; }
            catch (ConflictException) { return false; } // until the session lets go of it
        }, ClientNodeFixture.Deadline, "the workspace is deleted once its session ended");
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Client.GetWorkspaceAsync("client_ws"));
    }

    private async Task<List<SessionView>> AllSessionsAsync()
    {
        var all = new List<SessionView>();
        string? cursor = null;
        do
        {
            var page = await Client.ListSessionsAsync(cursor, 100);
            all.AddRange(page.Sessions);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return all;
    }
}

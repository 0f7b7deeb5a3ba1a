using AgentCluster.Abstractions.Sessions;
using AgentCluster.Client;

namespace AgentCluster.Tests.Client;

/// <summary>The node's refusals, as the typed exceptions a caller catches: each names what is wrong.</summary>
[Collection(ClientNodeCollection.Name)]
public sealed class ClientProblemTests(ClientNodeFixture node)
{
    [Fact]
    public async Task An_unknown_session_is_a_SessionNotFoundException_also_for_its_event_stream()
    {
        var get = await Assert.ThrowsAsync<SessionNotFoundException>(() => node.Client.GetSessionAsync("ses_nothing_here"));
        var stream = await Assert.ThrowsAsync<SessionNotFoundException>(async () =>
        {
            await foreach (var _ in node.Client.StreamEventsAsync("ses_nothing_here")) { }
        }).WaitAsync(ClientNodeFixture.Deadline); // thrown, not retried

        Assert.Equal(404, get.Status);
        Assert.Equal("Session not found", get.Title);
        Assert.Contains("ses_nothing_here", get.Message);
        Assert.Equal(404, stream.Status);
    }

    [Fact]
    public async Task A_bad_request_names_its_field()
    {
        var id = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            node.Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "true", SessionId = "not an id!" }));
        var limit = await Assert.ThrowsAsync<InvalidRequestException>(() => node.Client.ListSessionsAsync(limit: 1000));

        Assert.Equal((400, "session_id"), (id.Status, id.Field));
        Assert.StartsWith("Invalid request: session_id 'not an id!' must be", id.Message);
        Assert.Equal((400, "limit"), (limit.Status, limit.Field));
        Assert.Equal(["limit must be between 1 and 100."], limit.Errors["limit"]);
    }

    [Fact]
    public async Task A_wrong_or_missing_key_is_an_UnauthorizedException()
    {
        var wrong = AgentClusterClient.Create(node.Options(apiKey: "ack_not-the-key"));
        var none = new AgentClusterClient(node.Node.Client());

        var e = await Assert.ThrowsAsync<UnauthorizedException>(() => wrong.ListSessionsAsync());
        await Assert.ThrowsAsync<UnauthorizedException>(() => none.ListPresetsAsync());
        await Assert.ThrowsAsync<UnauthorizedException>(() => wrong.StreamEventsAsync("ses_any").ToListAsync().AsTask());

        Assert.Equal(401, e.Status);
    }
}

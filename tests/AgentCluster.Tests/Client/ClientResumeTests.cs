using AgentCluster.Abstractions.Sessions;
using AgentCluster.Client;

namespace AgentCluster.Tests.Client;

/// <summary>
/// StreamEventsAsync through a proxy that resets the event stream mid-frame, again and again: the client resumes from
/// the last event it yielded, and what it yields is the session's log exactly, as read straight from the node.
/// </summary>
[Collection(ClientNodeCollection.Name)]
public sealed class ClientResumeTests(ClientNodeFixture node)
{
    [Fact]
    public async Task A_stream_cut_mid_frame_resumes_with_Last_Event_ID_and_loses_or_repeats_nothing()
    {
        await using var proxy = await CuttingProxy.StartAsync(new Uri(node.Node.Url), cuts: 4, framesPerConnection: 3);
        var throughProxy = AgentClusterClient.Create(node.Options(url: proxy.Url));
        var id = (await node.Client.CreateSessionAsync(new CreateSessionRequest { Prompt = "for i in $(seq 1 12); do echo line $i; done" })).SessionId;

        await using var events = SessionEvents.Start(throughProxy, id);
        await events.WaitForAsync(e => SessionEvents.TurnCompleted(e, 1), "the turn completes, read through the cutting proxy");
        await node.Client.DeleteSessionAsync(id);
        await events.Reading.WaitAsync(ClientNodeFixture.Deadline);
        var direct = await node.Client.StreamEventsAsync(id).ToListAsync();

        var cut = events.Received;
        Assert.Equal(direct.Select(e => (e.Seq, e.Type, e.Turn, e.Payload)), cut.Select(e => (e.Seq, e.Type, e.Turn, e.Payload)));
        Assert.True(AgentClusterClient.IsEnd(cut[^1]));
        Assert.Equal(12, cut.Count(e => e.Type == EventTypes.AgentOutput));
        // Four connections were reset mid-frame, each after three whole frames. Each next one asked from the last event
        // the client had read: at most what the one before let through (a reset may drop bytes not yet read), never less
        // than it asked from itself.
        var streams = proxy.Streams.ToList();
        Assert.Equal(4, streams.Count(s => s.Cut));
        Assert.True(streams.Count >= 5, $"{streams.Count} connections");
        Assert.Null(streams[0].LastEventId);
        for (var i = 1; i < streams.Count; i++)
        {
            var resumed = long.Parse(streams[i].LastEventId!);
            Assert.InRange(resumed, long.Parse(streams[i - 1].LastEventId ?? "0"), streams[i - 1].LastForwarded ?? 0);
            Assert.Contains(cut, e => e.Seq == resumed);
        }
    }
}

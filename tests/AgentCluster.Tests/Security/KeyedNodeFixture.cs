using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Security;

/// <summary>
/// One node process on its embedded default with two API keys, <c>team-a</c> and <c>team-b</c>, and a client
/// for each (and one with no key). Real agents run the sessions, so their tokens can be read where the agent
/// reads them.
/// </summary>
public sealed class KeyedNodeFixture : IAsyncLifetime
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public string KeyA { get; } = ApiKeys.New();
    public string KeyB { get; } = ApiKeys.New();

    /// <summary>team-b's next key, configured beside the first as during a rotation: both act as team-b.</summary>
    public string RotatedKeyB { get; } = ApiKeys.New();
    public NodeHost Node { get; private set; } = null!;
    public HttpClient A { get; private set; } = null!;
    public HttpClient B { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__team-a"] = ApiKeys.Sha256Hex(KeyA),
            ["Auth__ApiKeys__team-b"] = $"{ApiKeys.Sha256Hex(RotatedKeyB)}, {ApiKeys.Sha256Hex(KeyB).ToUpperInvariant()}", // any case
        });
        (A, B, Anonymous) = (Node.Client(KeyA), Node.Client(KeyB), Node.Client());
    }

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { A, B, Anonymous }) client?.Dispose();
        if (Node is not null) await Node.DisposeAsync();
    }

    /// <summary>Starts a session as <paramref name="owner"/> and waits until its first turn is done.</summary>
    public static async Task<string> StartIdleSessionAsync(HttpClient owner, string? sessionId = null)
    {
        var created = await owner.PostAsJsonAsync("/sessions", new { prompt = "echo ready", session_id = sessionId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
        await using var stream = await SseStream.OpenAsync(owner, $"/sessions/{id}/events");
        await stream.WaitForAsync(e => e.Type == "session.status" && e.Payload["status"]!.GetValue<string>() == "idle", Deadline, "the first turn is done");
        return id;
    }

    /// <summary>The session's agent token, read from its agent process's environment.</summary>
    public static async Task<string> AgentTokenAsync(string sessionId)
    {
        await Eventually.TrueAsync(() => AgentProcesses.Of(sessionId).Count > 0, Deadline, "the session's agent runs");
        return AgentProcesses.Variable(AgentProcesses.Of(sessionId)[0], AgentEnvironment.SessionToken)
            ?? throw new InvalidOperationException("the agent has no token");
    }
}

[CollectionDefinition(Name)]
public sealed class KeyedNodeCollection : ICollectionFixture<KeyedNodeFixture>
{
    public const string Name = "keyed-node";
}

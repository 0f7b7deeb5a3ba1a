using AgentCluster.Client;
using AgentCluster.Tests.Security;

namespace AgentCluster.Tests.Client;

/// <summary>
/// One node on its embedded default (agents as local processes running shell turns) with an API key, as a user
/// of the client library meets it: <see cref="Client"/> is made from options, the way the CLI makes it.
/// </summary>
public sealed class ClientNodeFixture : IAsyncLifetime
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public string ApiKey { get; } = ApiKeys.New();
    public NodeHost Node { get; private set; } = null!;
    public AgentClusterClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await NodeHost.StartAsync(new Dictionary<string, string> { ["Auth__ApiKeys__client-tests"] = ApiKeys.Sha256Hex(ApiKey) });
        Client = AgentClusterClient.Create(Options());
    }

    public AgentClusterOptions Options(string? apiKey = null, Uri? url = null) => new()
    {
        BaseAddress = url ?? new Uri(Node.Url),
        ApiKey = apiKey ?? ApiKey,
        ReconnectDelay = TimeSpan.FromMilliseconds(20), // a cut is resumed at once; the backoff itself is tested on a fake clock
    };

    public async Task DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClientNodeCollection : ICollectionFixture<ClientNodeFixture>
{
    public const string Name = "client-node";
}

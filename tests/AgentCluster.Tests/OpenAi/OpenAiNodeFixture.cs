using System.ClientModel;
using System.ClientModel.Primitives;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Security;
using OpenAI;
using OpenAI.Chat;

namespace AgentCluster.Tests.OpenAi;

/// <summary>
/// One node with an API key, a preset <c>coder</c> on the built-in Anthropic runtime, and a <see cref="FakeAnthropic"/>
/// playing the model: what the protocol adapters' tests (OpenAI's clients, A2A's) talk to, one class after another.
/// </summary>
public sealed class OpenAiNodeFixture : IAsyncLifetime
{
    public const string Collection = "protocol-node";

    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly PresetFolder presets = new();

    public string Key { get; } = ApiKeys.New();
    public FakeAnthropic Model { get; private set; } = null!;
    public NodeHost Node { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        presets.Write("coder.yaml", "id: coder\nruntime: anthropic\nmodel: claude-test-model\n");
        Model = await FakeAnthropic.StartAsync();
        Node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__ci"] = ApiKeys.Sha256Hex(Key),
            ["Presets__Directory"] = presets.Path,
            ["ANTHROPIC_API_KEY"] = Model.ApiKey,
            ["ANTHROPIC_BASE_URL"] = Model.Url.ToString().TrimEnd('/'),
            ["Sessions__SseKeepAlive"] = "00:00:01",
        });
        Http = Node.Client(Key);
    }

    /// <summary>The official client, pointed at the node's <c>/v1</c>; <paramref name="sessionId"/> goes as <c>X-Session-ID</c>.</summary>
    public ChatClient Chat(string? sessionId = null, string? key = null)
    {
        var options = ClientOptions();
        if (sessionId is not null) options.AddPolicy(new SessionHeader(sessionId), PipelinePosition.PerCall);
        return new ChatClient("coder", new ApiKeyCredential(key ?? Key), options);
    }

    public OpenAIClientOptions ClientOptions() => new() { Endpoint = new Uri($"{Node.Url}/v1"), NetworkTimeout = Deadline };

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Node is not null) await Node.DisposeAsync();
        if (Model is not null) await Model.DisposeAsync();
        presets.Dispose();
    }

    /// <summary>Adds <c>X-Session-ID</c> to every request, as an OpenAI client configured for AgentCluster would.</summary>
    private sealed class SessionHeader(string sessionId) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("X-Session-ID", sessionId);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set("X-Session-ID", sessionId);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}

/// <summary>One node for the protocol tests: one process instead of one per class, and their scripted model's replies never interleave.</summary>
[CollectionDefinition(OpenAiNodeFixture.Collection)]
public sealed class ProtocolNodeCollection : ICollectionFixture<OpenAiNodeFixture>;

using System.Text.Json;
using AgentCluster.Tests.Fakes;
using AgentCluster.Tests.Security;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentCluster.Tests.Mcp;

/// <summary>
/// One node with two API keys (owners <c>ci</c> and <c>other</c>), a preset <c>coder</c> on the built-in Anthropic runtime
/// and a <see cref="FakeAnthropic"/> playing the model: what the MCP client's tests talk to, over Streamable HTTP.
/// </summary>
public sealed class McpNodeFixture : IAsyncLifetime
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly PresetFolder presets = new();

    public string Key { get; } = ApiKeys.New();
    public string OtherKey { get; } = ApiKeys.New();
    public FakeAnthropic Model { get; private set; } = null!;
    public NodeHost Node { get; private set; } = null!;
    public McpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        presets.Write("coder.yaml", "id: coder\nruntime: anthropic\nmodel: claude-test-model\n");
        Model = await FakeAnthropic.StartAsync();
        Node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__ci"] = ApiKeys.Sha256Hex(Key),
            ["Auth__ApiKeys__other"] = ApiKeys.Sha256Hex(OtherKey),
            ["Presets__Directory"] = presets.Path,
            ["ANTHROPIC_API_KEY"] = Model.ApiKey,
            ["ANTHROPIC_BASE_URL"] = Model.Url.ToString().TrimEnd('/'),
        });
        Client = await ConnectAsync(Key);
    }

    /// <summary>The official C# client over Streamable HTTP, with <paramref name="key"/> as its bearer token.</summary>
    public async Task<McpClient> ConnectAsync(string key) =>
        await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri($"{Node.Url}/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
        }));

    public async Task DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        if (Node is not null) await Node.DisposeAsync();
        if (Model is not null) await Model.DisposeAsync();
        presets.Dispose();
    }
}

/// <summary>A tool's answer read as the node's JSON: its structured content, or its text when it has none.</summary>
public static class ToolResults
{
    public static JsonElement Json(this CallToolResult result)
    {
        Assert.True(result.IsError is not true, $"the tool answered an error: {result.Text()}");
        return result.StructuredContent is { } structured ? JsonSerializer.Deserialize<JsonElement>(structured) : JsonDocument.Parse(result.Text()).RootElement;
    }

    public static string Text(this CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();
}

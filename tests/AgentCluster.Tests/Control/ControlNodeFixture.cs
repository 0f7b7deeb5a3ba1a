using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Control;

/// <summary>
/// One node on its embedded default (the emulator in the node, agents as local processes running shell turns), shared
/// by the exec and files tests. Idle sessions sleep after 2 s: whatever a test reaches into may have to be woken first.
/// </summary>
public sealed class ControlNodeFixture : IAsyncLifetime
{
    public const long MaxFileBytes = 60L * 1024 * 1024;
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public NodeHost Node { get; private set; } = null!;
    public HttpClient Http => Node.Http;

    public async Task InitializeAsync() => Node = await NodeHost.StartAsync(new Dictionary<string, string>
    {
        ["Sessions__IdleTimeout"] = "00:00:02",
        ["Reaper__SweepInterval"] = "00:00:01",
        ["FrontDoor__MaxFileBytes"] = MaxFileBytes.ToString(),
    });

    public async Task DisposeAsync() => await Node.DisposeAsync();

    private Task<(string Id, string MachineId)>? shared;

    /// <summary>One session for the tests that only read from it or are refused before they change anything.</summary>
    public Task<(string Id, string MachineId)> SharedSessionAsync() =>
        LazyInitializer.EnsureInitialized(ref shared, () => IdleSessionAsync("ln -s / root-link && ln -s /etc etc-link && mkdir -p inside && ln -s inside ok-link && echo made"));

    /// <summary>A new session whose first turn has completed (its agent has set up and serves its control port).</summary>
    public async Task<(string Id, string MachineId)> IdleSessionAsync(string prompt = "echo ready")
    {
        var (id, machine) = await CreateAsync(Http, prompt);
        await using var stream = await SseStream.OpenSessionAsync(Http, id);
        await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the first turn runs");
        return (id, machine);
    }

    public static async Task<(string Id, string MachineId)> CreateAsync(HttpClient http, string prompt)
    {
        var created = await http.PostAsJsonAsync("/sessions", new { prompt });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var session = JsonNode.Parse(body)!;
        return (session["session_id"]!.GetValue<string>(), session["machine_id"]!.GetValue<string>());
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> ExecAsync(HttpClient http, string id, object request, string query = "")
    {
        var response = await http.PostAsJsonAsync($"/sessions/{id}/exec{query}", request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>A streamed exec, read with .NET's own SSE parser: every frame, in order.</summary>
    public static async Task<List<SseItem<string>>> ExecStreamAsync(HttpClient http, string id, object request, string query = "")
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/sessions/{id}/exec{query}") { Content = JsonContent.Create(request) };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = new List<SseItem<string>>();
        await foreach (var frame in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync()) frames.Add(frame);
        return frames;
    }

    /// <summary>The session's logged events of one type, read from the start.</summary>
    public async Task<List<SseEvent>> EventsAsync(string id, string type)
    {
        await using var stream = await SseStream.OpenSessionAsync(Http, id);
        var head = JsonNode.Parse(await Http.GetStringAsync($"/sessions/{id}"))!["last_event_id"]!.GetValue<long>();
        await stream.WaitForAsync(e => e.Id >= head, Deadline, "the stored log is read");
        return stream.Received.Where(e => e.Type == type).ToList();
    }

    /// <summary>The agent process behind the machine.</summary>
    public Task<int> AgentPidAsync(string machineId) => EmbeddedEmulator.AgentPidAsync(Node, machineId);
}

[CollectionDefinition(Name)]
public sealed class ControlNodeCollection : ICollectionFixture<ControlNodeFixture>
{
    public const string Name = "control-node";
}

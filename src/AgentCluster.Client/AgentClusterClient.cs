using System.Net.Http.Headers;
using System.Net.Http.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Presets;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Abstractions.Workspaces;

namespace AgentCluster.Client;

/// <summary>
/// The node's public HTTP API, typed: each call one request, its JSON in the node's conventions
/// (<see cref="ProtocolJson"/>), and any non-2xx answer thrown as an <see cref="AgentClusterException"/>.
/// Thread-safe, like the <see cref="HttpClient"/> under it.
/// </summary>
public sealed partial class AgentClusterClient
{
    private readonly HttpClient _http;
    private readonly AgentClusterOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Over an HttpClient whose BaseAddress (and Authorization header, when the node has keys) are already set.</summary>
    public AgentClusterClient(HttpClient http) : this(http, new AgentClusterOptions(), TimeProvider.System) { }

    /// <summary>With the reconnect policy of <paramref name="options"/> and the clock its backoff waits on.</summary>
    public AgentClusterClient(HttpClient http, AgentClusterOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null) throw new ArgumentException("The HttpClient needs a BaseAddress: the node's URL.", nameof(http));
        _http = http;
        _options = options;
        _time = time;
    }

    /// <summary>A client without dependency injection (a console tool): its own HttpClient, for the process's lifetime.</summary>
    public static AgentClusterClient Create(AgentClusterOptions options)
    {
        var http = new HttpClient();
        Configure(http, options);
        return new AgentClusterClient(http, options, TimeProvider.System);
    }

    /// <summary>Options from <c>AGENTCLUSTER_URL</c> and <c>AGENTCLUSTER_API_KEY</c>; the defaults where they are not set.</summary>
    public static AgentClusterOptions OptionsFromEnvironment()
    {
        var options = new AgentClusterOptions();
        if (Environment.GetEnvironmentVariable(AgentClusterOptions.UrlVariable) is { Length: > 0 } url)
        {
            options.BaseAddress = Uri.TryCreate(url, UriKind.Absolute, out var uri)
                ? uri
                : throw new ArgumentException($"{AgentClusterOptions.UrlVariable} '{url}' is not an absolute URL (http://host:port).");
        }
        if (Environment.GetEnvironmentVariable(AgentClusterOptions.ApiKeyVariable) is { Length: > 0 } key) options.ApiKey = key;
        return options;
    }

    /// <summary>The node's address and key on <paramref name="http"/>; no timeout of its own (streams and execs run long).</summary>
    internal static void Configure(HttpClient http, AgentClusterOptions options)
    {
        http.BaseAddress = options.BaseAddress;
        http.Timeout = Timeout.InfiniteTimeSpan;
        if (options.ApiKey is { Length: > 0 } key) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    // Sessions

    public Task<SessionView> CreateSessionAsync(CreateSessionRequest request, CancellationToken ct = default) =>
        SendAsync<SessionView>(HttpMethod.Post, "sessions", Json(request), ct);

    public Task<SessionView> GetSessionAsync(string sessionId, CancellationToken ct = default) =>
        SendAsync<SessionView>(HttpMethod.Get, Session(sessionId), null, ct);

    /// <summary>The caller's sessions, newest first; pass <see cref="SessionList.NextCursor"/> back for the next page.</summary>
    public Task<SessionList> ListSessionsAsync(string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        SendAsync<SessionList>(HttpMethod.Get, "sessions" + Query(("cursor", cursor), ("limit", limit?.ToString())), null, ct);

    /// <summary>Queues the next turn (not retried: sent twice, it is two turns).</summary>
    public Task<SendMessageResponse> SendMessageAsync(string sessionId, string content, CancellationToken ct = default) =>
        SendAsync<SendMessageResponse>(HttpMethod.Post, Session(sessionId) + "/messages", Json(new SendMessageRequest(content)), ct);

    public Task<InterruptResponse> InterruptAsync(string sessionId, CancellationToken ct = default) =>
        SendAsync<InterruptResponse>(HttpMethod.Post, Session(sessionId) + "/interrupt", null, ct);

    public Task<SessionView> RestartAsync(string sessionId, CancellationToken ct = default) =>
        SendAsync<SessionView>(HttpMethod.Post, Session(sessionId) + "/restart", null, ct);

    /// <summary>Ends the session (its machine destroyed): the view answered is terminated.</summary>
    public Task<SessionView> DeleteSessionAsync(string sessionId, CancellationToken ct = default) =>
        SendAsync<SessionView>(HttpMethod.Delete, Session(sessionId), null, ct);

    // Presets, workspaces

    public Task<PresetList> ListPresetsAsync(CancellationToken ct = default) =>
        SendAsync<PresetList>(HttpMethod.Get, "presets", null, ct);

    public Task<Preset> GetPresetAsync(string presetId, CancellationToken ct = default) =>
        SendAsync<Preset>(HttpMethod.Get, "presets/" + Uri.EscapeDataString(presetId), null, ct);

    public Task<WorkspaceList> ListWorkspacesAsync(CancellationToken ct = default) =>
        SendAsync<WorkspaceList>(HttpMethod.Get, "workspaces", null, ct);

    public Task<WorkspaceView> GetWorkspaceAsync(string name, CancellationToken ct = default) =>
        SendAsync<WorkspaceView>(HttpMethod.Get, "workspaces/" + Uri.EscapeDataString(name), null, ct);

    /// <summary>Destroys the workspace's volume and its data; a <see cref="ConflictException"/> while a live session uses it.</summary>
    public async Task DeleteWorkspaceAsync(string name, CancellationToken ct = default)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Delete, "workspaces/" + Uri.EscapeDataString(name)), ct);
    }

    // Plumbing

    private static string Session(string sessionId) => "sessions/" + Uri.EscapeDataString(sessionId);

    private static JsonContent Json<T>(T body) => JsonContent.Create(body, options: ProtocolJson.Options);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var set = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return set.Count == 0 ? "" : "?" + string.Join('&', set);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(method, path) { Content = content }, ct);
        return await ReadAsync<T>(response, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<T>(ProtocolJson.Options, ct)
        ?? throw new AgentClusterException((int)response.StatusCode, "Empty answer", $"{response.RequestMessage?.RequestUri} answered no JSON body.");

    /// <summary>Sends the request; a non-2xx answer is thrown as its <see cref="AgentClusterException"/>.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using (request)
        {
            var response = await _http.SendAsync(request, completion, ct);
            if (response.IsSuccessStatusCode) return response;
            using (response) throw await Problems.ReadAsync(response, ct);
        }
    }
}

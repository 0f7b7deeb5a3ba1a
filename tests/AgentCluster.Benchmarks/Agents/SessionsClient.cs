using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>The public API as a client uses it: create a session, send a message.</summary>
public static class SessionsClient
{
    /// <summary>POST /sessions; the new session's id (fails unless 201).</summary>
    /// <param name="env">The session's <c>env</c>, sent only when given.</param>
    public static async Task<string> CreateAsync(
        HttpClient node, string prompt, CancellationToken cancellationToken, string runtime = "shell", IReadOnlyDictionary<string, string>? env = null)
    {
        var request = new JsonObject { ["prompt"] = prompt, ["runtime"] = runtime };
        if (env is not null) request["env"] = new JsonObject(env.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));
        using var response = await node.PostAsJsonAsync("/sessions", request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
            throw new HttpRequestException($"POST /sessions answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["session_id"]!.GetValue<string>();
    }

    /// <summary>DELETE /sessions/{id}: ends the session and destroys its machine.</summary>
    public static async Task DeleteAsync(HttpClient node, string sessionId, CancellationToken cancellationToken)
    {
        using var response = await node.DeleteAsync($"/sessions/{sessionId}", cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"DELETE /sessions/{sessionId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>Creates <paramref name="count"/> sessions, <paramref name="concurrency"/> at a time.</summary>
    public static async Task<List<string>> CreateManyAsync(HttpClient node, int count, int concurrency, CancellationToken cancellationToken)
    {
        var ids = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) => ids[i] = await CreateAsync(node, "echo bench", ct));
        return [.. ids];
    }
}

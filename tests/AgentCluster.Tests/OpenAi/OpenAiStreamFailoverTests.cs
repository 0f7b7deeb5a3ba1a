using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.OpenAi;

/// <summary>
/// An OpenAI stream while the cluster changes under it (two nodes on Redis, SIGTERM to one): a stream read through
/// the node that stays goes on to its <c>[DONE]</c> though the session's grain moves off the node that leaves; a
/// stream read through the node that leaves ends with OpenAI's in-stream error <c>node_draining</c> instead of
/// stopping short as if the answer were whole. Both turns go on in their sessions.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class OpenAiStreamFailoverTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>Long enough that the leaving node drains while both answers are under way.</summary>
    private const string Turn = "echo start; sleep 10; echo end";

    [Fact]
    public async Task A_stream_outlives_its_grain_moving_and_a_leaving_node_ends_its_own_streams_with_node_draining()
    {
        await using var cluster = await NodeCluster.StartAsync(nodes: 2, environment: new Dictionary<string, string> { ["ShutdownTimeout"] = "00:00:20" });
        var moving = await NodeCluster.CreateSessionAsync(cluster.Nodes[0], "echo ready");
        var leaving = await cluster.HostOfAsync(moving);
        var staying = cluster.Nodes.Single(n => n != leaving);
        var other = await NodeCluster.CreateSessionAsync(staying, "echo ready");
        await IdleAsync(staying, moving);
        await IdleAsync(staying, other);

        using var through = await ChatStream.OpenAsync(staying, moving, Turn); // reads a grain on the leaving node
        using var cut = await ChatStream.OpenAsync(leaving, other, Turn);
        await through.ReadUntilAsync("start\n");
        await cut.ReadUntilAsync("start\n");
        var (exitCode, _) = await leaving.TerminateAsync(TimeSpan.FromSeconds(40));
        Assert.Equal(0, exitCode);

        await cut.ReadToEndAsync();
        Assert.Equal("start\n", cut.Text.ToString());
        Assert.Equal("node_draining", Assert.IsType<JsonObject>(cut.Error)["code"]!.GetValue<string>());
        Assert.False(cut.Done);

        await through.ReadToEndAsync();
        Assert.Equal(("start\nend\n", true, null), (through.Text.ToString(), through.Done, through.Error));

        // The cut answer's turn went on in its session: its result is there for whoever asks.
        await Eventually.TrueAsync(async () => (await SessionAsync(staying, other))["result"]?["turn"]?.GetValue<int>() == 2, Deadline,
            "the turn whose stream was cut finished in its session");
        Assert.Contains("end", (await SessionAsync(staying, other))["result"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task IdleAsync(NodeHost node, string id) =>
        await Eventually.TrueAsync(async () => (await SessionAsync(node, id))["result"]?["turn"]?.GetValue<int>() == 1, Deadline, $"{id} ran turn 1");

    private static async Task<JsonObject> SessionAsync(NodeHost node, string id) => (await node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{id}"))!;

    /// <summary>A streamed chat completion read line by line off the wire: its text, its <c>[DONE]</c>, its in-stream error.</summary>
    private sealed class ChatStream : IDisposable
    {
        private readonly HttpResponseMessage response;
        private readonly StreamReader reader;
        private readonly CancellationTokenSource deadline = new(Deadline);

        private ChatStream(HttpResponseMessage response, StreamReader reader) => (this.response, this.reader) = (response, reader);

        public StringBuilder Text { get; } = new();
        public bool Done { get; private set; }
        public JsonObject? Error { get; private set; }

        public static async Task<ChatStream> OpenAsync(NodeHost node, string sessionId, string prompt)
        {
            var body = new JsonObject
            {
                ["model"] = "shell", ["stream"] = true,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Session-ID", sessionId);
            var response = await node.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            return new ChatStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        public async Task ReadUntilAsync(string text)
        {
            while (!Text.ToString().Contains(text, StringComparison.Ordinal))
                if (!await NextAsync()) throw new InvalidOperationException($"The stream ended before '{text.Trim()}': '{Text}'");
        }

        public async Task ReadToEndAsync()
        {
            while (await NextAsync())
            {
            }
        }

        private async Task<bool> NextAsync()
        {
            var line = await reader.ReadLineAsync(deadline.Token);
            if (line is null) return false;
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) return true; // a blank line or a keep-alive comment
            var data = line["data: ".Length..];
            if (data == "[DONE]") Done = true;
            else if (JsonNode.Parse(data) is JsonObject frame && frame["error"] is JsonObject error) Error = error;
            else Text.Append(JsonNode.Parse(data)!["choices"]![0]!["delta"]!["content"]?.GetValue<string>());
            return true;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            deadline.Dispose();
        }
    }
}

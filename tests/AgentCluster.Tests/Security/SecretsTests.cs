using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AgentCluster.Tests.Security;

/// <summary>
/// A session run end to end on a node with every kind of secret (an API key, a Fly token, an Anthropic key in
/// the node's and in the session's environment, the session's agent token): none of them appears in the
/// node's output, in the events a client sees, or anywhere in Redis.
/// </summary>
public sealed class SecretsTests
{
    private const string App = "secrets";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task No_secret_reaches_a_log_line_an_event_or_stored_state()
    {
        var apiKey = ApiKeys.New();
        var flyToken = "fo1_" + Random();
        var (nodeAnthropicKey, sessionAnthropicKey) = ("sk-ant-node-" + Random(), "sk-ant-session-" + Random());
        var sessionModelKey = "sk-ant-api-key-field-" + Random();

        await using var redis = await RedisHost.StartAsync();
        await using var emulator = await EmbeddedFlyEmulator.StartAsync(o => o.ApiToken = flyToken);
        await using (var fly = EmulatorHost.CreateClientServices(emulator.BaseUrl, flyToken))
            await fly.GetRequiredService<IFlyAppsApi>().CreateAppAsync(new CreateAppRequest { Name = App, OrgSlug = "personal" });
        var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["REDIS_URL"] = redis.Url,
            ["Orleans__ClusterId"] = "c-" + Guid.NewGuid().ToString("N")[..8],
            ["FLY_API_URL"] = emulator.BaseUrl.ToString(),
            ["FLY_API_TOKEN"] = flyToken,
            ["FLY_APP_NAME"] = App,
            ["ANTHROPIC_API_KEY"] = nodeAnthropicKey,
            ["Auth__ApiKeys__ci"] = ApiKeys.Sha256Hex(apiKey),
        });

        string id, agentToken, keyedToken, modelToken, events, log;
        try
        {
            using var http = node.Client(apiKey);
            using var nearMiss = node.Client(apiKey + "0"); // a wrong key that contains the right one: logged, it would show it
            Assert.Equal(HttpStatusCode.Unauthorized, (await nearMiss.GetAsync("/sessions")).StatusCode);

            var created = await http.PostAsJsonAsync("/sessions", new { prompt = "echo turn one", runtime = "shell", env = new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = sessionAnthropicKey } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
            await using var stream = await SseStream.OpenAsync(http, $"/sessions/{id}/events");
            await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "turn 1 completes");

            agentToken = await KeyedNodeFixture.AgentTokenAsync(id);
            // The secret did reach the one place it is for: the agent's environment.
            Assert.Equal(sessionAnthropicKey, AgentProcesses.Variable(AgentProcesses.Of(id)[0], "ANTHROPIC_API_KEY"));

            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsJsonAsync($"/sessions/{id}/messages", new { content = "echo turn two" })).StatusCode);
            await stream.WaitForAsync(e => e.IsTurnCompleted(2), Deadline, "turn 2 completes");

            // A session's own model key (api_key): stored encrypted, never handed to its agent, which gets a model token instead.
            var keyed = await http.PostAsJsonAsync("/sessions", new { prompt = "hi", runtime = "anthropic", api_key = sessionModelKey });
            Assert.Equal(HttpStatusCode.Created, keyed.StatusCode);
            var keyedId = (await keyed.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!.GetValue<string>();
            keyedToken = await KeyedNodeFixture.AgentTokenAsync(keyedId);
            using (var agent = new HttpClient { BaseAddress = new Uri(node.Url) })
            {
                agent.DefaultRequestHeaders.Authorization = new("Bearer", keyedToken);
                var setup = (await agent.GetFromJsonAsync<JsonObject>($"/agent/sessions/{keyedId}/setup"))!;
                Assert.DoesNotContain(sessionModelKey, setup.ToJsonString());
                modelToken = setup["credentials"]!["ANTHROPIC_API_KEY"]!.GetValue<string>();
                Assert.StartsWith("amt_", modelToken);
            }
            // Fly (and the emulator) starts a machine after its create is answered: its process may not be there yet.
            await Eventually.TrueAsync(() => AgentProcesses.Of(keyedId).Count > 0, Deadline, "the keyed session's agent runs");
            Assert.Null(AgentProcesses.Variable(AgentProcesses.Of(keyedId)[0], "ANTHROPIC_API_KEY"));
            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/sessions/{keyedId}")).StatusCode);

            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/sessions/{id}")).StatusCode);
            await stream.ReadToEndAsync(Deadline);
            events = string.Join("\n", stream.Received.Select(e => e.Json()));
            await Eventually.TrueAsync(() => AgentProcesses.Of(id).Count == 0, Deadline, "the agent is gone");
        }
        finally
        {
            log = await node.StopAsync();
        }

        var stored = await DumpAsync(redis);
        // The places searched hold the session: an empty dump or log would prove nothing.
        Assert.Contains(id, log);
        Assert.Contains(stored, value => Contains(value, id));
        Assert.Contains("turn two", events);

        foreach (var (name, secret) in new[]
        {
            ("API key", apiKey), ("FLY_API_TOKEN", flyToken), ("node ANTHROPIC_API_KEY", nodeAnthropicKey),
            ("session ANTHROPIC_API_KEY", sessionAnthropicKey), ("agent token", agentToken),
            ("session api_key", sessionModelKey), ("keyed session's agent token", keyedToken), ("keyed session's model token", modelToken),
        })
        {
            Assert.False(log.Contains(secret), $"the {name} is in the node's output");
            Assert.False(events.Contains(secret), $"the {name} is in the session's events");
            Assert.False(stored.Any(value => Contains(value, secret)), $"the {name} is stored in Redis");
        }
    }

    /// <summary>Every value of every key in Redis, as bytes (read by type: DUMP would compress them).</summary>
    private static async Task<List<byte[]>> DumpAsync(RedisHost redis)
    {
        await using var connection = await redis.ConnectAsync();
        var db = connection.GetDatabase();
        var values = new List<byte[]>();
        await foreach (var key in connection.GetServer(connection.GetEndPoints()[0]).KeysAsync(pattern: "*"))
        {
            values.Add(Encoding.UTF8.GetBytes(key.ToString()));
            IEnumerable<RedisValue> contents = await db.KeyTypeAsync(key) switch
            {
                RedisType.String => [await db.StringGetAsync(key)],
                RedisType.Hash => (await db.HashGetAllAsync(key)).SelectMany(e => new[] { e.Name, e.Value }),
                RedisType.List => await db.ListRangeAsync(key),
                RedisType.Set => await db.SetMembersAsync(key),
                RedisType.SortedSet => await db.SortedSetRangeByRankAsync(key),
                RedisType.Stream => (await db.StreamRangeAsync(key)).SelectMany(e => e.Values.SelectMany(v => new[] { v.Name, v.Value })),
                var type => throw new InvalidOperationException($"{key} is a {type}: not read"),
            };
            values.AddRange(contents.Select(v => (byte[])v!));
        }
        return values;
    }

    private static bool Contains(byte[] value, string text) => value.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static string Random() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}

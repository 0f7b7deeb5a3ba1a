using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Silo.Hosting;
using AgentCluster.Tests.Infrastructure;
using AgentCluster.Silo.Sessions;
using StackExchange.Redis;

namespace AgentCluster.Tests.Node;

/// <summary>The node process: its embedded default, and two nodes forming one cluster over a real Redis.</summary>
public sealed class NodeHostingTests
{
    [Fact]
    public async Task With_nothing_configured_a_node_runs_the_embedded_default()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>());
        var health = await node.Http.GetFromJsonAsync<JsonObject>("/health");
        Assert.Equal("embedded-emulator", health!["fly"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_nodes_on_one_Redis_form_one_cluster()
    {
        await using var redis = await RedisHost.StartAsync();
        var env = new Dictionary<string, string> { ["REDIS_URL"] = redis.Url, ["Orleans__ClusterId"] = "c-" + Guid.NewGuid().ToString("N")[..8] };
        await using var first = await NodeHost.StartAsync(env);
        await using var second = await NodeHost.StartAsync(env);

        await using var connection = await redis.ConnectAsync();
        var key = $"agentcluster/members/{env["Orleans__ClusterId"]}";
        await Eventually.TrueAsync(async () =>
        {
            var members = (await connection.GetDatabase().HashGetAllAsync(key)).Select(e => e.Value.ToString()).ToList();
            return members.Count(m => m.Contains($"127.0.0.1:{first.SiloPort}") || m.Contains($"127.0.0.1:{second.SiloPort}")) >= 2;
        }, TimeSpan.FromSeconds(60), "both silos registered in the Redis membership table, on loopback");
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6380", "127.0.0.1:6380", null, null, false)]
    [InlineData("rediss://default:s3cr%40t@redis.internal:6379/2", "redis.internal:6379", "default", "s3cr@t", true)]
    [InlineData("redis://:only-password@host:1234", "host:1234", null, "only-password", false)]
    [InlineData("localhost:6379,password=x", "localhost:6379", null, "x", false)]
    public void REDIS_URL_is_read_in_the_forms_hosts_give_it(string url, string endpoint, string? user, string? password, bool ssl)
    {
        var options = RedisUrl.Parse(url);
        Assert.Equal(endpoint, Assert.Single(options.EndPoints).ToString()!.Replace("Unspecified/", ""));
        Assert.Equal(user, options.User);
        Assert.Equal(password, options.Password);
        Assert.Equal(ssl, options.Ssl);
        Assert.False(options.AbortOnConnectFail);
        Assert.Same(SocketManager.ThreadPool, options.SocketManager);
    }
}

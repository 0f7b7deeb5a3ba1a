using AgentCluster.Silo.Auth;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace AgentCluster.Tests.Security;

/// <summary>
/// A node reachable beyond loopback without API keys refuses to start, before it binds the port, and says
/// which variable to set; so does one with keys that are not SHA-256 hashes. Nothing here listens beyond
/// loopback: the refusal comes first.
/// </summary>
public sealed class StartupTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("ASPNETCORE_URLS", "http://0.0.0.0:{port}")]
    [InlineData("URLS", "http://+:{port}")]
    [InlineData("Kestrel__Endpoints__Http__Url", "http://0.0.0.0:{port}")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "{port}")]
    public async Task A_node_listening_beyond_loopback_without_keys_refuses_to_start_and_says_what_to_set(string variable, string value)
    {
        var port = Ports.FreeLoopback().ToString();
        var (exitCode, log) = await NodeHost.RunToExitAsync(new Dictionary<string, string>
        {
            ["PORT"] = "", // PORT means loopback; these are the ways a node is put on the network
            [variable] = value.Replace("{port}", port),
        }, Deadline);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("beyond loopback, with no API keys", log);
        Assert.Contains("Auth__ApiKeys__<name>", log);
        Assert.Contains("sha256sum", log);
        Assert.DoesNotContain("Now listening on", log);
    }

    [Fact]
    public async Task Keys_that_are_not_SHA256_hashes_stop_the_node_with_the_key_named()
    {
        var (exitCode, log) = await NodeHost.RunToExitAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__ci"] = "the-key-itself",
            ["Auth__ApiKeys__ops"] = ApiKeys.Sha256Hex("k"),
            ["Auth__ApiKeys__dup"] = ApiKeys.Sha256Hex("other") + "," + ApiKeys.Sha256Hex("k"),
        }, Deadline);

        Assert.Equal(1, exitCode);
        Assert.Contains("Auth:ApiKeys:ci must be the SHA-256 of the key as 64 hex digits", log);
        Assert.Contains("Auth:ApiKeys: dup and ops list the same key twice", log); // (configuration lists names in order)
        Assert.DoesNotContain("Auth:ApiKeys:ops ", log);
        Assert.DoesNotContain("Now listening on", log);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", false)]
    [InlineData("http://localhost:8080", false)]
    [InlineData("https://[::1]:8443", false)]
    [InlineData("http://127.0.0.53:80", false)]
    [InlineData("http://unix:/run/agentcluster.sock", false)]
    [InlineData("http://0.0.0.0:8080", true)]
    [InlineData("http://[::]:8080", true)]
    [InlineData("http://*:8080", true)]
    [InlineData("http://+:8080", true)]
    [InlineData("http://10.0.0.5:8080", true)]
    [InlineData("http://fly-local-6pn:8080", true)]
    [InlineData("not a url", true)]
    public void Loopback_addresses_and_local_sockets_are_local_everything_else_is_beyond(string url, bool beyond) =>
        Assert.Equal(beyond, ListenAddresses.IsBeyondLoopback(url));

    [Theory]
    [InlineData(new string[0], "http://127.0.0.1:8080")]
    [InlineData(new[] { "urls", "http://127.0.0.1:1;http://0.0.0.0:2" }, "http://127.0.0.1:1|http://0.0.0.0:2")]
    [InlineData(new[] { "http_ports", "8080;8081" }, "http://*:8080|http://*:8081")]
    [InlineData(new[] { "urls", "http://127.0.0.1:1", "Kestrel:Endpoints:Web:Url", "http://0.0.0.0:2" }, "http://0.0.0.0:2")]
    public void Listen_addresses_are_read_with_Kestrels_precedence(string[] settings, string expected)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(
            settings.Chunk(2).Select(kv => KeyValuePair.Create(kv[0], (string?)kv[1]))).Build();
        Assert.Equal(expected.Split('|'), ListenAddresses.Of(config));
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using AgentCluster.Silo.Webhooks;

namespace AgentCluster.UnitTests.Webhooks;

/// <summary>
/// The sender's guards at delivery time, against a loopback listener standing in for what a webhook must not reach:
/// a name that resolves to a refused address when the delivery is made (not when it was checked) is refused at
/// connect, before any connection; a redirect is an answer, not an instruction.
/// </summary>
public sealed class WebhookSenderTests : IDisposable
{
    private const string Name = "hooks.example.test";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly TcpListener target = Listen();
    private readonly List<string> lookups = [];

    private int Port => ((IPEndPoint)target.LocalEndpoint).Port;

    public void Dispose() => target.Dispose();

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    /// <summary>A sender whose DNS says <paramref name="resolvesTo"/> for every name, on a node that is (or is not) loopback-only.</summary>
    private WebhookSender Sender(bool loopbackNode, params IPAddress[] resolvesTo) =>
        new(new OneClient(new HttpClient(WebhookSender.Handler(new WebhookAddressPolicy(loopbackNode, []), (host, _) =>
        {
            lookups.Add(host);
            return Task.FromResult(resolvesTo);
        }))));

    private static Task<SendOutcome> Send(WebhookSender sender, string url)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        return sender.SendAsync(url, WebhookSigner.NewSecret(), "msg_s1_3", "{}", DateTimeOffset.UtcNow, timeout.Token);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_at_delivery_time_is_refused_before_connecting()
    {
        var outcome = await Send(Sender(loopbackNode: false, IPAddress.Loopback), $"http://{Name}:{Port}/hook");

        Assert.False(outcome.Delivered);
        Assert.Equal("webhook target refused: 127.0.0.1 is a loopback address", outcome.Error);
        Assert.Equal([Name], lookups); // the name was looked up at the connect, and what it said was judged
        Assert.False(target.Pending()); // nothing reached the listener
    }

    [Fact]
    public async Task Every_address_of_the_name_is_judged_so_a_private_one_beside_a_public_one_is_refused()
    {
        var outcome = await Send(Sender(loopbackNode: false, IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.0.0.7")), $"http://{Name}/hook");
        Assert.False(outcome.Delivered);
        Assert.Equal("webhook target refused: 10.0.0.7 is a private address", outcome.Error);
    }

    [Fact]
    public async Task On_a_loopback_only_node_the_same_name_is_delivered_to()
    {
        var answered = AnswerOnceAsync(target, "204 No Content");
        var outcome = await Send(Sender(loopbackNode: true, IPAddress.Loopback), $"http://{Name}:{Port}/hook");
        Assert.True(outcome.Delivered, outcome.Error);
        Assert.StartsWith("POST /hook ", await answered);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failure()
    {
        using var elsewhere = Listen();
        var answered = AnswerOnceAsync(target, $"307 Temporary Redirect\r\nLocation: http://127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}/stolen");
        var outcome = await Send(Sender(loopbackNode: true, IPAddress.Loopback), $"http://127.0.0.1:{Port}/hook");

        Assert.False(outcome.Delivered);
        Assert.Equal("HTTP 307", outcome.Error);
        await answered;
        Assert.False(elsewhere.Pending()); // the target behind the redirect got nothing
    }

    /// <summary>Answers one HTTP/1.1 request with <paramref name="status"/> (and any header lines after it); returns the request line.</summary>
    private static async Task<string> AnswerOnceAsync(TcpListener listener, string status)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        using var client = await listener.AcceptTcpClientAsync(timeout.Token);
        var stream = client.GetStream();
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n"))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) break;
            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        // The body ({}) comes with or right after the headers: read it, so closing does not reset the connection.
        var text = request.ToString();
        var bodyRead = text.Length - text.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4;
        if (bodyRead < 2) await stream.ReadAtLeastAsync(buffer, 2 - bodyRead, throwOnEndOfStream: false, timeout.Token);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), timeout.Token);
        return text[..text.IndexOf('\r')];
    }

    private sealed class OneClient(HttpClient client) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => client;
    }
}

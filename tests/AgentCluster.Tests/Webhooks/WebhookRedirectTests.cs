using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Webhooks;

/// <summary>
/// A receiver's redirect is not followed (it could point into the node's network): the target behind it gets
/// nothing, the attempt counts as failed and is retried, and the retry to the subscribed URL is delivered. The
/// node's webhook counters (scraped at <c>/metrics</c>) say so.
/// </summary>
public sealed partial class WebhookRedirectTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_redirect_is_not_followed_but_failed_and_retried_and_the_counters_say_so()
    {
        await using var node = await NodeHost.StartAsync(new Dictionary<string, string>
        {
            ["Webhooks__RetryDelays__0"] = "00:00:01",
            ["Telemetry__Prometheus"] = "true",
        });
        var elsewhere = new TcpListener(IPAddress.Loopback, 0);
        elsewhere.Start();
        using var _ = elsewhere;
        var port = Ports.FreeLoopback();
        var (id, secret) = await WebhookCalls.SubscribeAsync(node.Http, port, "session.terminated");
        await using var receiver = await WebhookReceiver.StartAsync(port, secret, failFirst: 0, redirectFirst: 1,
            redirectTo: $"http://127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}/stolen");
        try
        {
            await WebhookCalls.StartTaskAsync(node.Http, "echo redirected");
            await Eventually.TrueAsync(() => receiver.Accepted().Count == 1, Deadline, "the retry is delivered");

            Assert.Equal([307, 204], receiver.Requests.Select(r => (int)r["status"]!));
            Assert.Single(receiver.Requests.Select(r => (string)r["id"]!).Distinct()); // the same message, tried again
            Assert.False(elsewhere.Pending()); // nothing followed the redirect
            // The node counts a delivery once its outcome is written, which may be just after the receiver answered.
            var metrics = "";
            await Eventually.TrueAsync(async () => Counter(metrics = await node.Http.GetStringAsync("/metrics"), "agentcluster_webhooks_delivered_total") == 1,
                Deadline, () => "the delivery is counted: " + metrics);
            var view = await WebhookCalls.ViewAsync(node.Http, id);
            Assert.Equal((1, 0L, "HTTP 307"), ((int)view["delivered_total"]!, (long)view["failed_total"]!, (string)view["last_error"]!));
            Assert.Equal(1, Counter(metrics, "agentcluster_webhooks_failed_attempts_total"));
            Assert.Equal(0, Counter(metrics, "agentcluster_webhooks_given_up_total"));
        }
        catch
        {
            output.WriteLine(receiver.Log + "\n" + node.Log);
            throw;
        }
    }

    /// <summary>A counter's value in Prometheus' text format; 0 when it has no series yet.</summary>
    private static long Counter(string metrics, string name) =>
        Sample().Matches(metrics).Where(m => m.Groups["name"].Value == name).Sum(m => long.Parse(m.Groups["value"].Value));

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{[^}]*\})? (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}

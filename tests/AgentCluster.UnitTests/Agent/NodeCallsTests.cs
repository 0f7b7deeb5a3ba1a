using System.Net;
using AgentCluster.Agent;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Agent;

/// <summary>The retries of a call to the nodes on a fake clock: a backoff after a quick failure, none after a sleep.</summary>
public sealed class NodeCallsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider time = new();
    private readonly StringWriter logged = new();
    private int attempts;

    /// <summary>Calls over a handler whose first attempt fails after <paramref name="firstTakes"/> on the fake clock, and whose next succeed.</summary>
    private Task<string> CallAsync(TimeSpan firstTakes)
    {
        var http = new HttpClient(new Handler(() =>
        {
            if (Interlocked.Increment(ref attempts) > 1) return new HttpResponseMessage(HttpStatusCode.OK);
            time.Advance(firstTakes);
            throw new HttpRequestException("connection reset by peer");
        }));
        var calls = new NodeCalls([new Uri("http://127.0.0.1:1/"), new Uri("http://127.0.0.1:2/")], "secret", http, time, new AgentLog(logged), new Random(1))
        {
            Credential = "pool token",
            Gone = how => new AgentExit(0, how),
        };
        return calls.CallAsync("claim poll", TimeSpan.FromMinutes(1), CancellationToken.None,
            url => new HttpRequestMessage(HttpMethod.Get, url), (_, _) => Task.FromResult("answered"));
    }

    /// <summary>
    /// A suspended machine: the clock moved on while the call was out, and the call failed the moment the process ran
    /// again, its connection gone or (after a sleep longer than its timeout) its deadline passed.
    /// </summary>
    [Theory]
    [InlineData(30, "connection reset by peer")]
    [InlineData(3 * 3600, "no answer within 60 s")]
    public async Task A_call_that_failed_across_a_sleep_is_sent_again_at_once_via_the_next_node(int sleptSeconds, string failure)
    {
        var answer = await CallAsync(firstTakes: TimeSpan.FromSeconds(sleptSeconds)).WaitAsync(Deadline);

        Assert.Equal("answered", answer);
        Assert.Equal(2, attempts);
        Assert.Equal($"agentcluster-agent claim poll via http://127.0.0.1:1/ failed ({failure}); retrying via http://127.0.0.1:2/ in 0 ms",
            logged.ToString().Trim());
    }

    [Fact]
    public async Task A_call_that_failed_at_once_is_sent_again_only_after_its_backoff()
    {
        var calling = CallAsync(firstTakes: TimeSpan.Zero);
        await Eventually.TrueAsync(() => Volatile.Read(ref attempts) == 1, Deadline, "the first attempt");

        time.Advance(Backoff.First / 2 - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.False(calling.IsCompleted);

        time.Advance(Backoff.First / 2);
        Assert.Equal("answered", await calling.WaitAsync(Deadline));
        Assert.Equal(2, attempts);
        Assert.DoesNotContain("secret", logged.ToString());
    }

    private sealed class Handler(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer());
    }
}

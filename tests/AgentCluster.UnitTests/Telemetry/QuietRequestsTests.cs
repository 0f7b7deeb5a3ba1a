using AgentCluster.Silo.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AgentCluster.UnitTests.Telemetry;

/// <summary>What the node does not trace: the steady background of polls, heartbeats, checks and scrapes.</summary>
public sealed class QuietRequestsTests
{
    [Theory]
    [InlineData("/health", true)]
    [InlineData("/health/ready", true)]
    [InlineData("/metrics", true)]
    [InlineData("/dashboard/DashboardCounters", true)]
    [InlineData("/agent/sessions/s1/heartbeat", true)]
    [InlineData("/agent/sessions/s1/turns/next", true)]
    [InlineData("/agent/sessions/s1/turns/3/interrupt", true)]
    [InlineData("/agent/sessions/s1/events", false)]
    [InlineData("/agent/sessions/s1/setup", false)]
    [InlineData("/agent/sessions/s1/anthropic/v1/messages", true)]
    [InlineData("/sessions", false)]
    [InlineData("/sessions/s1/messages", false)]
    [InlineData("/sessions/s1/interrupt", false)]
    [InlineData("/healthy-sessions", false)]
    public void Only_the_steady_background_is_quiet(string path, bool quiet)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        Assert.Equal(quiet, QuietRequests.IsQuiet(context.Request));
    }

    [Fact]
    public void The_embedded_emulators_API_is_traced_only_under_a_call_that_carries_a_trace()
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/v1/apps/agents/machines";
        Assert.True(QuietRequests.IsQuiet(context.Request));
        context.Request.Headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Assert.False(QuietRequests.IsQuiet(context.Request));
    }
}

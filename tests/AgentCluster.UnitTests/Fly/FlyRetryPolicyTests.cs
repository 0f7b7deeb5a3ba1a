using System.Net;
using AgentCluster.Fly.Api;

namespace AgentCluster.UnitTests.Fly;

/// <summary>Which failures are retried: a 429 always; 408, 5xx and broken connections only for calls that converge.</summary>
public sealed class FlyRetryPolicyTests
{
    private const string Machine = "http://api/v1/apps/a/machines/1857156b526dd8";

    [Theory]
    [InlineData("POST", "http://api/v1/apps/a/machines", false)]          // create: may have happened
    [InlineData("POST", "http://api/v1/apps", false)]                     // create app
    [InlineData("POST", Machine, false)]                                  // update: mints a version
    [InlineData("POST", Machine + "/restart", false)]
    [InlineData("POST", Machine + "/signal", false)]
    [InlineData("POST", Machine + "/lease", false)]                       // acquire
    [InlineData("POST", Machine + "/start", true)]
    [InlineData("POST", Machine + "/stop", true)]
    [InlineData("POST", Machine + "/suspend", true)]
    [InlineData("POST", Machine + "/metadata/k", true)]
    [InlineData("GET", Machine, true)]
    [InlineData("DELETE", Machine, true)]
    public void Ambiguous_failures_are_retried_only_when_replay_is_safe(string method, string url, bool retried)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        Assert.Equal(retried, FlyRetryPolicy.ShouldRetry(request, HttpStatusCode.ServiceUnavailable, null));
        Assert.Equal(retried, FlyRetryPolicy.ShouldRetry(request, null, new HttpRequestException("connection reset")));
        Assert.Equal(retried, FlyRetryPolicy.ShouldRetry(request, HttpStatusCode.RequestTimeout, null));
    }

    [Fact]
    public void Rate_limited_create_is_retried_because_Fly_did_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://api/v1/apps/a/machines");
        Assert.True(FlyRetryPolicy.ShouldRetry(request, HttpStatusCode.TooManyRequests, null));
    }

    [Fact]
    public void Lease_refresh_with_its_nonce_is_replayable()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Machine + "/lease");
        request.Headers.Add(FlyHeaders.LeaseNonce, "5c35f65c9f95");
        Assert.True(FlyRetryPolicy.ShouldRetry(request, HttpStatusCode.BadGateway, null));
    }

    [Fact]
    public void Wait_timeout_is_an_answer_not_a_failure()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Machine + "/wait?state=started&timeout=60");
        Assert.False(FlyRetryPolicy.ShouldRetry(request, HttpStatusCode.RequestTimeout, null));
        Assert.True(FlyRetryPolicy.ShouldRetry(request, HttpStatusCode.InternalServerError, null));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.PreconditionFailed)]
    public void Client_errors_are_not_retried(HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Machine);
        Assert.False(FlyRetryPolicy.ShouldRetry(request, status, null));
    }
}

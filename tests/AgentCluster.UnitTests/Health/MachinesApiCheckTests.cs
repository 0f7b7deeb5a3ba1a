using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Health;

/// <summary>
/// The Machines API check spends one call per cache period, however many checks ask (Fly checks every node every
/// 15 s, and the API's rate limits are the node's to share with sessions), and a call that hangs ends at its deadline.
/// </summary>
public sealed class MachinesApiCheckTests
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
    private readonly ReadinessOptions readiness = new() { CheckTimeout = TimeSpan.FromSeconds(3), MachinesApiCacheFor = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Many_checks_share_one_call_until_the_answer_is_older_than_the_cache_period()
    {
        var apps = new Apps();
        var check = Check(apps);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => check.CheckHealthAsync(new HealthCheckContext())));
        Assert.All(answers, a => Assert.Equal(HealthStatus.Healthy, a.Status));
        Assert.Equal(1, apps.Calls);

        time.Advance(TimeSpan.FromSeconds(9));
        await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(1, apps.Calls);

        time.Advance(TimeSpan.FromSeconds(2));
        apps.Failure = new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        var failed = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(2, apps.Calls);
        Assert.Equal(HealthStatus.Unhealthy, failed.Status);
        Assert.Contains("unreachable", failed.Description);

        await check.CheckHealthAsync(new HealthCheckContext()); // a failure is kept as long: a Fly outage costs no more calls
        Assert.Equal(2, apps.Calls);
    }

    [Fact]
    public async Task A_call_that_does_not_answer_ends_at_the_check_deadline()
    {
        var apps = new Apps { Hang = true };
        var answer = Check(apps).CheckHealthAsync(new HealthCheckContext());
        Assert.False(answer.IsCompleted);

        time.Advance(readiness.CheckTimeout);
        var result = await answer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("did not answer within 3 s", result.Description);
    }

    private MachinesApiCheck Check(Apps apps) =>
        new(apps, Microsoft.Extensions.Options.Options.Create(new FlyOptions { AppName = "agents" }), Microsoft.Extensions.Options.Options.Create(readiness), time);

    private sealed class Apps : IFlyAppsApi
    {
        private int calls;
        public int Calls => calls;
        public Exception? Failure { get; set; }
        public bool Hang { get; init; }

        public async Task<App> GetAppAsync(string appName, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref calls);
            if (Hang) await Task.Delay(Timeout.Infinite, cancellationToken);
            await Task.Yield();
            return Failure is null ? new App { Name = appName } : throw Failure;
        }

        public Task CreateAppAsync(CreateAppRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ListAppsResponse> ListAppsAsync(string orgSlug, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task DeleteAppAsync(string appName, bool? force = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}

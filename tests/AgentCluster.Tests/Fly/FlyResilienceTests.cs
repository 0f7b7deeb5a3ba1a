using System.Diagnostics;
using System.Net;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Fly;

/// <summary>Retries as observed against the emulator with its fault injection and rate limits on (its own instance).</summary>
public sealed class FlyResilienceTests : IAsyncLifetime
{
    private readonly EmulatorFixture fly = new();

    public Task InitializeAsync() => fly.InitializeAsync();
    public Task DisposeAsync() => fly.DisposeAsync();

    [Fact]
    public async Task Reads_survive_server_errors()
    {
        var app = await fly.NewAppAsync();
        var machine = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 30") with { SkipLaunch = true });
        await fly.SetFaultsAsync(new FaultRule { Action = "machine.get", ServerErrorRate = 1, MaxErrors = 3 });

        // Three 503s in a row, then the answer: only a client that retries gets it.
        Assert.Equal(machine.Id, (await fly.Machines.GetMachineAsync(app, machine.Id)).Id);
    }

    [Fact]
    public async Task Create_is_never_replayed_after_an_ambiguous_failure()
    {
        var app = await fly.NewAppAsync();
        await fly.SetFaultsAsync(new FaultRule { Action = "machine.create", ServerErrorRate = 1, MaxErrors = 1 });

        var e = await Assert.ThrowsAsync<FlyApiException>(() => fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 30", name: "once")));
        Assert.Equal(FlyErrorKind.ServerError, e.Kind);
        Assert.True(e.IsTransient);

        // The one injected error was spent by that single attempt: the next create goes through.
        await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 30", name: "once") with { SkipLaunch = true });
        Assert.Single(await fly.Machines.ListMachinesAsync(app));
    }

    [Fact]
    public async Task Rate_limited_create_is_retried_after_Retry_After()
    {
        var app = await fly.NewAppAsync();
        await fly.SetFaultsAsync(new FaultRule { Action = "machine.create", RateLimitRate = 1, MaxErrors = 1 });

        var started = Stopwatch.StartNew();
        await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 30") with { SkipLaunch = true });
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.85), $"honoured Retry-After: 1 (took {started.Elapsed})");
        Assert.Single(await fly.Machines.ListMachinesAsync(app));
    }

    [Fact]
    public async Task Flys_rate_limits_answer_429_and_the_client_rides_them_out()
    {
        var app = await fly.NewAppAsync();
        var machine = await fly.Machines.CreateMachineAsync(app, EmulatorFixture.Script("sleep 30") with { SkipLaunch = true });
        await fly.SetRateLimitsAsync(true);

        // Raw: a burst of 3 per action and machine, then 429 with Retry-After.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await fly.Http.GetAsync($"apps/{app}/machines/{machine.Id}/events");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
                Assert.Equal("""{"error":"rate limit exceeded"}""", await response.Content.ReadAsStringAsync());
            }
        }
        // Burst of 3; a slow machine may see one token refill (1/s) during the loop.
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 3, 4);
        Assert.Equal(HttpStatusCode.OK, statuses[2]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        // Through the client every call succeeds.
        for (var i = 0; i < 4; i++) await fly.Machines.ListMachineEventsAsync(app, machine.Id);
        await fly.SetRateLimitsAsync(false);
    }

    [Fact]
    public async Task Rate_limiting_surfaces_as_its_own_kind_when_retries_run_out()
    {
        var app = await fly.NewAppAsync();
        await fly.SetFaultsAsync(new FaultRule { Action = "app.get", RateLimitRate = 1 });
        await using var services = EmulatorHost.CreateClientServices(fly.Emulator.BaseUrl, EmulatorFixture.Token, o => o.Retry.MaxRetryAttempts = 0);

        var e = await Assert.ThrowsAsync<FlyApiException>(() => services.GetRequiredService<IFlyAppsApi>().GetAppAsync(app));
        Assert.Equal(FlyErrorKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
        Assert.Equal("rate limit exceeded", e.FlyMessage);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task Latency_is_injected_per_endpoint()
    {
        var app = await fly.NewAppAsync();
        await fly.SetFaultsAsync(new FaultRule { Action = "app.get", Latency = TimeSpan.FromMilliseconds(300) });
        var started = Stopwatch.StartNew();
        await fly.Apps.GetAppAsync(app);
        // A timer may fire a tick early; anything near 300 ms is the injected latency (an unfaulted call takes ~1 ms).
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(250), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task A_broken_connection_on_a_read_is_retried_then_surfaces()
    {
        // Nothing listens on the emulator's port once it is gone: every attempt fails to connect.
        await using var services = EmulatorHost.CreateClientServices(new Uri("http://127.0.0.1:1"), "t", o => o.Retry.MaxRetryAttempts = 2);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => services.GetRequiredService<IFlyAppsApi>().GetAppAsync("x"));
        Assert.IsAssignableFrom<HttpRequestException>(e.InnerException ?? e);
    }
}

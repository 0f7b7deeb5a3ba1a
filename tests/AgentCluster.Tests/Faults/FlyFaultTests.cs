using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentCluster.Fly.Json;
using AgentCluster.FlyEmulator;
using AgentCluster.FlyEmulator.Api;
using AgentCluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AgentCluster.Tests.Faults;

/// <summary>
/// The Machines API misbehaves (the emulator's fault injection and rate limits) while clients create sessions
/// through a node: every session ends with exactly one machine, or a 503 that the same request, retried with
/// the same session_id, turns into one; no request runs unbounded; Retry-After is honoured and the node keeps
/// to Fly's published rate limits.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class FlyFaultTests(FlyFaultTests.Cluster fixture, ITestOutputHelper output) : IClassFixture<FlyFaultTests.Cluster>, IAsyncLifetime
{
    /// <summary>The node's own bound on one create (Retry-After waits included), under the 30 s session call timeout.</summary>
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(4);

    /// <summary>No single request may take longer: the session call times out at 30 s.</summary>
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private NodeHost Node => fixture.Nodes.Nodes[0];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await SetFaultsAsync();
        await fixture.Nodes.Control.PutAsJsonAsync(new Uri(fixture.Nodes.Emulator.Url, "/_emulator/rate-limits"), new { enabled = false });
    }

    [Fact]
    public async Task A_burst_of_5xx_ends_in_one_machine_per_session_after_retries_of_the_same_request()
    {
        await SetFaultsAsync(
            new FaultRule { Action = "machine.create", ServerErrorRate = 1, MaxErrors = 3 },
            new FaultRule { Action = "machine.list", ServerErrorRate = 0.5, MaxErrors = 4 });
        var results = new List<Settled>();
        for (var i = 0; i < 3; i++) results.Add(await CreateUntilSettledAsync(NewId()));

        Assert.Contains(results, r => r.Statuses.Contains(HttpStatusCode.ServiceUnavailable)); // the 5xx reached the client as "retry"
        foreach (var r in results) await AssertOneMachineAsync(r);
        output.WriteLine(string.Join("\n", results));
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After_and_makes_one_machine()
    {
        var since = DateTimeOffset.UtcNow;
        await SetFaultsAsync(new FaultRule { Action = "machine.create", RateLimitRate = 1, MaxErrors = 1, RetryAfter = TimeSpan.FromSeconds(2) });
        var result = await CreateUntilSettledAsync(NewId());

        Assert.Equal([HttpStatusCode.Created], result.Statuses); // the node waited and retried by itself
        var creates = (await JournalAsync(since)).Where(e => e.Action == "machine.create").ToList();
        Assert.Equal([429, 200], creates.Select(e => e.Status));
        var waited = creates[1].At - creates[0].At;
        Assert.True(waited >= TimeSpan.FromSeconds(1.9), $"the retry came {waited.TotalSeconds:0.00} s after a 429 with Retry-After: 2");
        await AssertOneMachineAsync(result);
        output.WriteLine($"{result}; retry {waited.TotalSeconds:0.00} s after the 429");
    }

    [Fact]
    public async Task Added_latency_slows_creates_down_but_each_makes_one_machine_whose_agent_runs()
    {
        await SetFaultsAsync(new FaultRule { Action = "machine.*", Latency = TimeSpan.FromMilliseconds(700) });
        var result = await CreateUntilSettledAsync(NewId());

        Assert.Equal([HttpStatusCode.Created], result.Statuses);
        Assert.True(result.Took >= TimeSpan.FromMilliseconds(650), $"took {result.Took}");
        await AssertOneMachineAsync(result);
        await AssertTurnRunsAsync(result.SessionId);
        output.WriteLine(result.ToString());
    }

    [Fact]
    public async Task A_create_answered_after_the_client_gave_up_is_found_and_adopted_not_made_twice()
    {
        var since = DateTimeOffset.UtcNow;
        await SetFaultsAsync(new FaultRule { Action = "machine.create", ResponseDelay = CreateTimeout * 2 });
        var result = await CreateUntilSettledAsync(NewId());

        // The node gave up on the answer at its create timeout, found the machine the create made, and took it.
        Assert.Equal([HttpStatusCode.Created], result.Statuses);
        Assert.InRange(result.Took, CreateTimeout, CreateTimeout * 2);
        Assert.Single(await JournalAsync(since), e => e.Action == "machine.create");
        await AssertOneMachineAsync(result);
        await AssertTurnRunsAsync(result.SessionId);
        output.WriteLine(result.ToString());
    }

    [Fact]
    public async Task Concurrent_creates_keep_to_Flys_rate_limits_and_each_makes_one_machine()
    {
        var since = DateTimeOffset.UtcNow;
        await fixture.Nodes.Control.PutAsJsonAsync(new Uri(fixture.Nodes.Emulator.Url, "/_emulator/rate-limits"), new { enabled = true });
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CreateUntilSettledAsync(NewId())));

        foreach (var r in results) await AssertOneMachineAsync(r);
        var creates = (await JournalAsync(since)).Where(e => e.Action == "machine.create").ToList();
        // The node spaces its creates to Fly's budget (a token bucket of 3, 1 a second), retries included: no
        // more than 3 + 1 within any second, where six at once would be sent without it. The rare 429 left (its
        // bucket and Fly's refill at different instants) is waited out, not a storm.
        var refused = creates.Count(e => e.Status == 429);
        Assert.True(refused < results.Length, $"{refused} creates refused with 429");
        foreach (var first in creates)
        {
            var window = creates.Where(e => e.At >= first.At && e.At < first.At + TimeSpan.FromSeconds(1)).Count();
            Assert.True(window <= 3 + 1, $"{window} creates within 1 s from {first.At:HH:mm:ss.fff}");
        }
        var span = creates[^1].At - creates[0].At;
        Assert.True(creates.Count <= 3 + Math.Ceiling(span.TotalSeconds) + 1, $"{creates.Count} creates in {span.TotalSeconds:0.0} s");
        output.WriteLine($"{creates.Count} creates ({refused} answered 429) over {span.TotalSeconds:0.0} s; slowest session {results.Max(r => r.Took).TotalSeconds:0.0} s");
    }

    private static string NewId() => "fly-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Posts the create, and on a 503 posts the same request again until it is accepted, as a client should;
    /// each request must end within <see cref="RequestBound"/>, and it must settle within the deadline.
    /// </summary>
    private async Task<Settled> CreateUntilSettledAsync(string sessionId)
    {
        var statuses = new List<HttpStatusCode>();
        var took = Stopwatch.StartNew();
        var (response, _) = await Accepted.UntilAcceptedAsync(async () =>
        {
            var attempt = Stopwatch.StartNew();
            var answer = await Node.Http.PostAsJsonAsync("/sessions", new { prompt = "echo fly-faults-ok", session_id = sessionId });
            Assert.True(attempt.Elapsed < RequestBound, $"a create took {attempt.Elapsed.TotalSeconds:0.0} s");
            statuses.Add(answer.StatusCode);
            return answer;
        }, Deadline, $"the create of session {sessionId}",
            refused =>
            {
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                return Task.CompletedTask;
            });
        using (response)
        {
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"create answered {(int)response.StatusCode}");
            // Past the create budget the session is answered at once and waits its turn for its machine.
            var machineId = (await response.Content.ReadFromJsonAsync<JsonObject>())!["machine_id"]?.GetValue<string>();
            await Eventually.TrueAsync(async () =>
                (machineId ??= (await Node.Http.GetFromJsonAsync<JsonObject>($"/sessions/{sessionId}"))!["machine_id"]?.GetValue<string>()) is not null,
                Deadline, () => $"session {sessionId} gets its machine");
            return new Settled(sessionId, machineId!, statuses, took.Elapsed);
        }
    }

    private async Task AssertOneMachineAsync(Settled result)
    {
        var machine = Assert.Single(await fixture.Nodes.LiveMachinesAsync(result.SessionId));
        Assert.Equal(result.MachineId, machine.Id);
    }

    private async Task AssertTurnRunsAsync(string sessionId)
    {
        await using var stream = await SseStream.OpenAsync(Node.Http, $"/sessions/{sessionId}/events");
        await stream.WaitForAsync(e => e.IsTurnCompleted(1), Deadline, "the adopted machine's agent runs the turn");
        Assert.Contains(stream.Received, e => e.Type == "agent.output" && e.Text() == "fly-faults-ok");
    }

    private Task SetFaultsAsync(params FaultRule[] rules) => fixture.Nodes.Emulator.SetFaultsAsync(rules);

    private async Task<List<JournalEntry>> JournalAsync(DateTimeOffset since) =>
        (await fixture.Nodes.Control.GetFromJsonAsync<List<JournalEntry>>(new Uri(fixture.Nodes.Emulator.Url, "/_emulator/requests"), FlyJson.Options))!
            .Where(e => e.At >= since).ToList();

    private sealed record Settled(string SessionId, string MachineId, List<HttpStatusCode> Statuses, TimeSpan Took)
    {
        public override string ToString() => $"{SessionId}: {string.Join(", ", Statuses.Select(s => (int)s))} in {Took.TotalSeconds:0.0} s";
    }

    /// <summary>One node on the Machines emulator, its create timeout short so the tests are quick.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public NodeCluster Nodes { get; private set; } = null!;

        public async Task InitializeAsync() => Nodes = await NodeCluster.StartAsync(nodes: 1, environment: new Dictionary<string, string>
        {
            ["Sessions__MachineCreateTimeout"] = CreateTimeout.ToString(),
        });

        public async Task DisposeAsync() => await Nodes.DisposeAsync();
    }
}

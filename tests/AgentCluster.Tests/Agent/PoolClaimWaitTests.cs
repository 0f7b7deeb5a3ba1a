using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Agent;

/// <summary>A pool machine's wait for its claim, against the stub node: what it asks, and how each answer ends it.</summary>
public sealed class PoolClaimWaitTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly StringWriter logged = new();
    private readonly HttpClient http = NodeCalls.NewHttpClient();
    private StubOrchestrator stub = null!;

    public async Task InitializeAsync() => stub = await StubOrchestrator.StartAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await stub.DisposeAsync();
    }

    private Task<AgentClaim> WaitAsync(string? urls = null) =>
        new PoolClaimWait(PoolConfig(urls ?? stub.Url.ToString()), http, TimeProvider.System, new AgentLog(logged), Random.Shared)
            .WaitAsync(CancellationToken.None).WaitAsync(Deadline);

    private static AgentConfig PoolConfig(string urls) => AgentConfig.Load(name => name switch
    {
        AgentEnvironment.PoolToken => StubOrchestrator.PoolToken,
        AgentEnvironment.Pool => StubOrchestrator.Pool,
        AgentEnvironment.OrchestratorUrls => urls,
        AgentConfig.MachineIdVariable => StubOrchestrator.MachineId,
        _ => null,
    });

    [Fact]
    public async Task Empty_answers_are_followed_by_another_poll_until_the_claim_comes()
    {
        stub.ClaimHold = TimeSpan.FromMilliseconds(100);
        var waiting = WaitAsync();

        await Eventually.TrueAsync(() => stub.ClaimPolls.Count >= 3, Deadline, "three claim polls, two answered 204");
        Assert.False(waiting.IsCompleted);
        stub.Claim();
        var claim = await waiting;

        Assert.Equal((StubOrchestrator.SessionId, StubOrchestrator.Token, "shell"), (claim.SessionId, claim.Token, claim.Runtime));
        Assert.All(stub.ClaimPolls, poll => Assert.True(poll.Authorized, "every poll carries the pool token as bearer"));
        Assert.All(stub.ClaimPolls, poll => Assert.Equal((int)AgentProtocol.MaxPollWait.TotalSeconds, poll.Wait));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task A_dead_first_url_fails_over_to_the_next()
    {
        stub.Claim();
        var dead = $"http://127.0.0.1:{Ports.FreeLoopback()}";

        var claim = await WaitAsync($"{dead},{stub.Url}");

        Assert.Equal(StubOrchestrator.SessionId, claim.SessionId);
        Assert.Contains($"claim poll via {dead}/ failed", logged.ToString());
        AssertNoSecretLogged();
    }

    [Theory]
    [InlineData(403, 2, "the pool token was refused")]
    [InlineData(401, 2, "the pool token was refused")]
    [InlineData(410, 0, "the machine left the pool")]
    public async Task A_refusal_or_the_machine_leaving_the_pool_ends_the_agent(int status, int exitCode, string reason)
    {
        stub.ClaimStatus = status;

        var exit = await Assert.ThrowsAsync<AgentExit>(() => WaitAsync());

        Assert.Equal(exitCode, exit.ExitCode);
        Assert.Contains(reason, exit.Message);
        Assert.DoesNotContain(StubOrchestrator.PoolToken, exit.Message);
    }

    [Fact]
    public async Task A_node_failing_is_retried_and_its_failure_logged_without_the_tokens()
    {
        stub.ClaimStatus = 503;
        var waiting = WaitAsync();
        await Eventually.TrueAsync(() => stub.ClaimPolls.Count >= 2, Deadline, "the poll repeated after a 503");

        stub.ClaimStatus = null;
        stub.Claim();

        Assert.Equal(StubOrchestrator.SessionId, (await waiting).SessionId);
        Assert.Contains("claim poll via", logged.ToString());
        AssertNoSecretLogged();
    }

    private void AssertNoSecretLogged()
    {
        Assert.DoesNotContain(StubOrchestrator.PoolToken, logged.ToString());
        Assert.DoesNotContain(StubOrchestrator.Token, logged.ToString());
    }
}

using System.Net;
using AgentCluster.Agent;

namespace AgentCluster.UnitTests.Agent;

/// <summary>
/// An agent frozen by its machine's suspend and thawed by the resume carries on: the time frozen is nobody's
/// silence, and a call that was out across the freeze is retried at once, on the same node.
/// </summary>
public sealed class FreezeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan OrphanTimeout = TimeSpan.FromSeconds(60);

    private readonly ObservedClock clock = new();

    [Fact]
    public async Task A_freeze_longer_than_the_orphan_timeout_restarts_the_orphan_window_instead_of_ending_the_agent()
    {
        var orphans = new OrphanWatch(OrphanTimeout, clock);
        using var stop = new CancellationTokenSource();
        var watching = orphans.WatchAsync(stop.Token);
        await clock.RunForAsync(TimeSpan.FromSeconds(30), () => watching.IsCompleted);

        await clock.AdvanceAsync(TimeSpan.FromMinutes(10), () => watching.IsCompleted); // frozen, then thawed
        await clock.RunForAsync(OrphanTimeout - TimeSpan.FromSeconds(2), () => watching.IsCompleted);
        Assert.False(watching.IsCompleted, "58 s after the thaw, nothing is overdue");
        Assert.Equal(1, orphans.Freezes.Count);

        // Nobody answers after the thaw either: then it is orphaned, a timeout after the thaw.
        await clock.RunForAsync(TimeSpan.FromSeconds(3), () => watching.IsCompleted);
        var exit = await Assert.ThrowsAsync<AgentExit>(() => watching.WaitAsync(Deadline));
        Assert.Equal(3, exit.ExitCode);
    }

    [Fact]
    public async Task A_resumed_VM_whose_wall_clock_jumped_is_a_freeze_too_and_cuts_off_calls_that_were_out()
    {
        var freezes = new Freezes(clock);
        var cutOff = freezes.NextThaw;
        clock.Fake.Advance(TimeSpan.FromSeconds(1));
        Assert.False(freezes.Check());

        clock.WallAhead = TimeSpan.FromMinutes(10); // the monotonic clock stood still with the VM; NTP moved the wall clock
        clock.Fake.Advance(TimeSpan.FromSeconds(1));
        Assert.True(freezes.Check());
        Assert.True(cutOff.IsCancellationRequested);
        Assert.False(freezes.NextThaw.IsCancellationRequested, "the next freeze has a token of its own");
        Assert.Equal(clock.GetTimestamp(), freezes.LastThaw);
    }

    [Fact]
    public void A_late_tick_is_not_a_freeze()
    {
        var freezes = new Freezes(clock);
        clock.Fake.Advance(Freezes.Tick + Freezes.MinGap - TimeSpan.FromMilliseconds(1));
        Assert.False(freezes.Check());
        clock.Fake.Advance(Freezes.Tick + Freezes.MinGap);
        Assert.True(freezes.Check());
        Assert.False(freezes.Check(), "one freeze is noticed once");
        Assert.Equal(1, freezes.Count);
    }

    [Fact]
    public async Task A_long_poll_out_across_a_freeze_is_retried_at_once_on_the_same_node()
    {
        var (handler, orphans, log, watching, poll, stop) = await PollOutAsync();

        clock.Fake.Advance(TimeSpan.FromMinutes(10)); // past the poll's own deadline (20 s wait + 15 s), frozen all along
        Assert.Null(await poll.WaitAsync(Deadline)); // no backoff: the clock did not move again
        Assert.Equal(["http://node-a.test/", "http://node-a.test/"], handler.Requests.Select(u => u.GetLeftPart(UriPartial.Authority) + "/"));
        Assert.Contains("failed across a freeze", log.ToString());
        Assert.True(orphans.Silence < OrphanTimeout, "the orphan window starts again at the thaw");

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching); // not AgentExit: never orphaned
    }

    [Fact]
    public async Task A_call_hanging_on_a_dead_connection_after_a_VM_resume_is_cut_off_when_the_wall_clock_jumps()
    {
        var (handler, _, log, watching, poll, stop) = await PollOutAsync();

        clock.WallAhead = TimeSpan.FromMinutes(10);
        await clock.RunForAsync(Freezes.Tick, () => poll.IsCompleted); // the watch's next look notices
        Assert.Null(await poll.WaitAsync(Deadline));
        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains("cut off by a freeze", log.ToString());
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
    }

    /// <summary>An agent's client with its orphan watch running, and a long poll out (hanging) on the first node.</summary>
    private async Task<(HangingOnce Handler, OrphanWatch Orphans, StringWriter Log, Task Watching, Task<AgentCluster.Abstractions.Agents.AgentTurn?> Poll, CancellationTokenSource Stop)> PollOutAsync()
    {
        var config = AgentConfig.Load(name => name switch
        {
            "AGENTCLUSTER_SESSION_ID" => "s1",
            "AGENTCLUSTER_SESSION_TOKEN" => "t",
            "AGENTCLUSTER_ORCHESTRATOR_URLS" => "http://node-a.test,http://node-b.test",
            _ => null,
        });
        var handler = new HangingOnce();
        var orphans = new OrphanWatch(OrphanTimeout, clock);
        var log = new StringWriter();
        var client = new OrchestratorClient(config, "a1", new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, orphans, clock,
            new AgentLog(TextWriter.Synchronized(log)), new Random(1));
        var stop = new CancellationTokenSource();
        var watching = orphans.WatchAsync(stop.Token);
        var poll = client.NextTurnAsync(0, CancellationToken.None);
        await Eventually.TrueAsync(() => handler.Requests.Count == 1, Deadline, "the poll is out");
        return (handler, orphans, log, watching, poll, stop);
    }

    /// <summary>The first request hangs until it is given up (a connection that died while the agent was frozen); later ones answer 204.</summary>
    private sealed class HangingOnce : HttpMessageHandler
    {
        private readonly List<Uri> requests = [];

        public IReadOnlyList<Uri> Requests
        {
            get
            {
                lock (requests) return requests.ToList();
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int count;
            lock (requests)
            {
                requests.Add(request.RequestUri!);
                count = requests.Count;
            }
            if (count == 1) await Task.Delay(Timeout.Infinite, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
    }
}

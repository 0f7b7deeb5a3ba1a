extern alias service;

using System.Reflection;
using System.Runtime.CompilerServices;
using AgentCluster.Abstractions.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans;
using Orleans.Runtime;
using service::AgentCluster.InternalService;

namespace AgentCluster.UnitTests.Samples;

/// <summary>
/// The internal service sample's resume loop against a scripted grain: each subscription (a WatchAsync call) plays a
/// part of the log from where it was asked to start and then fails, hangs or ends. The loop must hand on every event
/// once, in order, resuming from the last one after a transient fault or a lost gateway, and pass on anything else.
/// </summary>
public sealed class ResumingWatchTests
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-05T08:00:00Z"));
    private readonly GatewayLoss gateways = new();
    private readonly ResumingWatch watch;

    public ResumingWatchTests() => watch = new ResumingWatch(gateways, time, NullLogger<ResumingWatch>.Instance);

    [Fact]
    public async Task After_transient_faults_it_resumes_from_the_last_event_seen_and_hands_on_each_once()
    {
        var grain = ScriptedGrain.Create((n, after, ct) => n switch
        {
            0 => Log(after, upTo: 3, then: new EnumerationAbortedException("the grain moved")),
            1 => Log(after, upTo: after, then: new SiloUnavailableException("its node died")),
            2 => Log(after, upTo: 5, then: new TimeoutException()),
            _ => Log(after, upTo: 7),
        });

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], await ReadAllAsync(grain));
        Assert.Equal([0, 3, 3, 5], ((ScriptedGrain)grain).Subscriptions);
    }

    [Fact]
    public async Task A_lost_gateway_cancels_a_waiting_watch_and_it_resumes_through_another()
    {
        var grain = ScriptedGrain.Create((n, after, ct) => n == 0 ? Log(after, upTo: 2, hang: true, cancellation: ct) : Log(after, upTo: 4));
        var seen = new List<long>();
        var reading = Task.Run(async () => { await foreach (var e in watch.EventsAsync(grain, 0)) lock (seen) seen.Add(e.Seq); });
        await Eventually.TrueAsync(() => { lock (seen) return seen.Count == 2; }, TimeSpan.FromSeconds(10), "the first two events");

        gateways.OnGatewayCountChanged(null, new GatewayCountChangedEventArgs(1, 2));
        await Eventually.TrueAsync(() => { time.Advance(TimeSpan.FromMilliseconds(100)); return reading.IsCompleted; }, TimeSpan.FromSeconds(10), "the watch ends");

        await reading;
        Assert.Equal([1, 2, 3, 4], seen);
        Assert.Equal([0, 2], ((ScriptedGrain)grain).Subscriptions);
    }

    [Fact]
    public async Task A_gateway_gained_is_no_loss()
    {
        var before = gateways.Next;
        gateways.OnGatewayCountChanged(null, new GatewayCountChangedEventArgs(2, 1));
        Assert.False(before.IsCancellationRequested);
        Assert.Equal([1, 2], await ReadAllAsync(ScriptedGrain.Create((_, after, _) => Log(after, upTo: 2))));
    }

    [Fact]
    public async Task A_refusal_is_the_callers_not_retried()
    {
        var grain = ScriptedGrain.Create((_, after, _) => Log(after, upTo: 1, then: SessionException.NotFound("s1")));
        await Assert.ThrowsAsync<SessionException>(() => ReadAllAsync(grain));
        Assert.Single(((ScriptedGrain)grain).Subscriptions);
    }

    [Fact]
    public async Task It_gives_up_after_a_minute_without_an_event()
    {
        var started = time.GetTimestamp();
        var grain = ScriptedGrain.Create((_, after, _) => Log(after, upTo: after, then: new SiloUnavailableException("no node")));
        await Assert.ThrowsAsync<SiloUnavailableException>(() => ReadAllAsync(grain, step: TimeSpan.FromSeconds(2)));
        Assert.InRange(time.GetElapsedTime(started), ResumingWatch.GiveUpAfter, ResumingWatch.GiveUpAfter + TimeSpan.FromSeconds(5));
    }

    /// <summary>Reads the watch to its end, moving the fake clock on so that its pauses between subscriptions pass.</summary>
    private async Task<List<long>> ReadAllAsync(ISessionGrain grain, TimeSpan? step = null)
    {
        var reading = Task.Run(async () =>
        {
            var seqs = new List<long>();
            await foreach (var e in watch.EventsAsync(grain, 0)) seqs.Add(e.Seq);
            return seqs;
        });
        await Eventually.TrueAsync(() => { time.Advance(step ?? TimeSpan.FromMilliseconds(500)); return reading.IsCompleted; }, TimeSpan.FromSeconds(10), "the watch ends");
        return await reading;
    }

    /// <summary>The log's events after <paramref name="after"/> up to <paramref name="upTo"/>; then a fault, a wait for cancellation, or the end.</summary>
    private static async IAsyncEnumerable<SessionEvent> Log(
        long after, long upTo, Exception? then = null, bool hang = false, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        for (var seq = after + 1; seq <= upTo; seq++)
        {
            await Task.Yield();
            yield return new SessionEvent { Seq = seq, Type = EventTypes.AgentOutput, Turn = 1, Payload = $$"""{"text":"line-{{seq}}"}""" };
        }
        if (hang) await Task.Delay(Timeout.Infinite, cancellation);
        if (then is not null) throw then;
    }

    /// <summary>An <see cref="ISessionGrain"/> whose WatchAsync plays a script, one entry per call; nothing else is called.</summary>
    public class ScriptedGrain : DispatchProxy
    {
        private Func<int, long, CancellationToken, IAsyncEnumerable<SessionEvent>> script = null!;

        public List<long> Subscriptions { get; } = [];

        public static ISessionGrain Create(Func<int, long, CancellationToken, IAsyncEnumerable<SessionEvent>> script)
        {
            var grain = DispatchProxy.Create<ISessionGrain, ScriptedGrain>();
            ((ScriptedGrain)(object)grain).script = script;
            return grain;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method?.Name != nameof(ISessionGrain.WatchAsync)) throw new NotSupportedException(method?.Name);
            var (after, cancellation) = ((long)args![0]!, (CancellationToken)args[1]!);
            lock (Subscriptions) Subscriptions.Add(after);
            return script(Subscriptions.Count - 1, after, cancellation);
        }
    }
}

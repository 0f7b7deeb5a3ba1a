using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>The realism switches, changeable while the emulator runs so a reliability test can turn them on and off.</summary>
internal sealed class EmulatorRuntime(IOptions<EmulatorOptions> options)
{
    public const int JournalSize = 10_000;

    private readonly Lock sync = new();
    private readonly Queue<JournalEntry> journal = new();
    private List<ActiveFault> faults = options.Value.Faults.Select(f => new ActiveFault(f)).ToList();

    public bool RateLimits { get; set; } = options.Value.RateLimits;

    public IReadOnlyList<FaultRule> Faults
    {
        get { lock (sync) return faults.Select(f => f.Rule).ToList(); }
        set { lock (sync) faults = value.Select(f => new ActiveFault(f)).ToList(); }
    }

    /// <summary>The fault to inject into this request, if any; counts it against the rule's <c>MaxErrors</c>.</summary>
    public InjectedFault Draw(FlyAction action)
    {
        lock (sync)
        {
            var (latency, delay) = (TimeSpan.Zero, TimeSpan.Zero);
            foreach (var fault in faults.Where(f => action.Matches(f.Rule.Action)))
            {
                latency += fault.Rule.Latency;
                delay += fault.Rule.ResponseDelay;
                if (fault.Rule.MaxErrors is { } max && fault.Injected >= max) continue;
                var roll = Random.Shared.NextDouble();
                int? status = roll < fault.Rule.ServerErrorRate ? fault.Rule.ServerErrorStatus
                    : roll < fault.Rule.ServerErrorRate + fault.Rule.RateLimitRate ? StatusCodes.Status429TooManyRequests
                    : null;
                if (status is null) continue;
                fault.Injected++;
                return new InjectedFault(status, latency, TimeSpan.Zero, fault.Rule.RetryAfter);
            }
            return new InjectedFault(null, latency, delay, TimeSpan.Zero);
        }
    }

    /// <summary>The Machines API requests answered so far, oldest first (at most <see cref="JournalSize"/>).</summary>
    public IReadOnlyList<JournalEntry> Journal
    {
        get { lock (journal) return journal.ToList(); }
    }

    public void Record(JournalEntry entry)
    {
        lock (journal)
        {
            if (journal.Count == JournalSize) journal.Dequeue();
            journal.Enqueue(entry);
        }
    }

    /// <summary>How many faults each active rule has injected so far, for a test's report.</summary>
    public IReadOnlyList<InjectedFaults> Injected
    {
        get { lock (sync) return faults.Select(f => new InjectedFaults(f.Rule.Action, f.Injected)).ToList(); }
    }

    private sealed class ActiveFault(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;
        public int Injected { get; set; }
    }
}

internal sealed record InjectedFaults(string Action, int Injected);

/// <summary>What fault injection does to one request: answer with <c>Status</c> (and <c>RetryAfter</c> for a 429), or carry it out; wait <c>Latency</c> before and <c>ResponseDelay</c> after.</summary>
internal sealed record InjectedFault(int? Status, TimeSpan Latency, TimeSpan ResponseDelay, TimeSpan RetryAfter);

/// <summary>One answered Machines API request: when it arrived, its action, the app or machine it was for, and its status.</summary>
public sealed record JournalEntry(DateTimeOffset At, string Action, string Scope, int Status);

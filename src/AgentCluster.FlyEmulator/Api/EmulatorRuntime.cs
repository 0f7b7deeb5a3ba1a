using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.Api;

/// <summary>The realism switches, changeable while the emulator runs so a reliability test can turn them on and off.</summary>
internal sealed class EmulatorRuntime(IOptions<EmulatorOptions> options)
{
    private readonly Lock sync = new();
    private List<ActiveFault> faults = options.Value.Faults.Select(f => new ActiveFault(f)).ToList();

    public bool RateLimits { get; set; } = options.Value.RateLimits;

    public IReadOnlyList<FaultRule> Faults
    {
        get { lock (sync) return faults.Select(f => f.Rule).ToList(); }
        set { lock (sync) faults = value.Select(f => new ActiveFault(f)).ToList(); }
    }

    /// <summary>The fault to inject into this request, if any; counts it against the rule's <c>MaxErrors</c>.</summary>
    public (int? Status, TimeSpan Latency) Draw(FlyAction action)
    {
        lock (sync)
        {
            var latency = TimeSpan.Zero;
            foreach (var fault in faults.Where(f => action.Matches(f.Rule.Action)))
            {
                latency += fault.Rule.Latency;
                if (fault.Rule.MaxErrors is { } max && fault.Injected >= max) continue;
                var roll = Random.Shared.NextDouble();
                int? status = roll < fault.Rule.ServerErrorRate ? fault.Rule.ServerErrorStatus
                    : roll < fault.Rule.ServerErrorRate + fault.Rule.RateLimitRate ? StatusCodes.Status429TooManyRequests
                    : null;
                if (status is null) continue;
                fault.Injected++;
                return (status, latency);
            }
            return (null, latency);
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

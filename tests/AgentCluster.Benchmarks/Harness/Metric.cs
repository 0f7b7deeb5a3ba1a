namespace AgentCluster.Benchmarks.Harness;

/// <summary>
/// One figure of a scenario, beside the baseline it is measured against in the same run (the physical limit
/// of this machine for the same kind of work), and the goal it is held to, if any. A figure is a number:
/// what was not measured is left out of the report (with a note why), not reported as NaN, so a NaN or an
/// infinity here is a scenario's bug and fails it where it arises, naming the metric.
/// </summary>
public sealed record Metric(string Name, double Value, string Unit)
{
    public double Value { get; init; } = Finite(Name, Value);

    /// <summary>What the figure is compared with, e.g. "kestrel constant".</summary>
    public string? Baseline { get; init; }

    public double? BaselineValue { get; init; }

    /// <summary>Value ÷ baseline value.</summary>
    public double? Ratio => BaselineValue is > 0 ? Value / BaselineValue : null;

    /// <summary>The goal as text (e.g. "≤ 2 ms"), and whether this run met it.</summary>
    public string? Goal { get; init; }

    public bool? Met { get; init; }

    public Metric Against(string baseline, double value) => this with { Baseline = baseline, BaselineValue = Finite($"{Name}, baseline {baseline}", value) };

    public Metric AtMost(double limit) => this with { Goal = $"≤ {limit:0.###} {Unit}", Met = Value <= limit };

    public Metric AtLeast(double limit) => this with { Goal = $"≥ {limit:0.###} {Unit}", Met = Value >= limit };

    /// <summary>A goal on the ratio to the baseline, e.g. heartbeats at ≥ 50 % of the constant endpoint.</summary>
    public Metric RatioAtLeast(double limit) => this with { Goal = $"≥ {limit:0.##}× baseline", Met = Ratio >= limit };

    public Metric RatioAtMost(double limit) => this with { Goal = $"≤ {limit:0.##}× baseline", Met = Ratio <= limit };

    private static double Finite(string name, double value) =>
        double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"metric \"{name}\" is not a number");
}

/// <summary>What one scenario measured.</summary>
public sealed record ScenarioReport(string Scenario, string Description, IReadOnlyList<Metric> Metrics, IReadOnlyList<string> Notes)
{
    public TimeSpan Took { get; init; }
}

namespace AgentCluster.Benchmarks.Harness;

/// <summary>
/// One figure of a scenario, beside the baseline it is measured against in the same run (the physical limit
/// of this machine for the same kind of work), and the goal it is held to, if any.
/// </summary>
public sealed record Metric(string Name, double Value, string Unit)
{
    /// <summary>What the figure is compared with, e.g. "kestrel constant".</summary>
    public string? Baseline { get; init; }

    public double? BaselineValue { get; init; }

    /// <summary>Value ÷ baseline value.</summary>
    public double? Ratio => BaselineValue is > 0 ? Value / BaselineValue : null;

    /// <summary>The goal as text (e.g. "≤ 2 ms"), and whether this run met it.</summary>
    public string? Goal { get; init; }

    public bool? Met { get; init; }

    public Metric Against(string baseline, double value) => this with { Baseline = baseline, BaselineValue = value };

    public Metric AtMost(double limit) => this with { Goal = $"≤ {limit:0.###} {Unit}", Met = Value <= limit };

    public Metric AtLeast(double limit) => this with { Goal = $"≥ {limit:0.###} {Unit}", Met = Value >= limit };

    /// <summary>A goal on the ratio to the baseline, e.g. heartbeats at ≥ 50 % of the constant endpoint.</summary>
    public Metric RatioAtLeast(double limit) => this with { Goal = $"≥ {limit:0.##}× baseline", Met = Ratio >= limit };

    public Metric RatioAtMost(double limit) => this with { Goal = $"≤ {limit:0.##}× baseline", Met = Ratio <= limit };
}

/// <summary>What one scenario measured.</summary>
public sealed record ScenarioReport(string Scenario, string Description, IReadOnlyList<Metric> Metrics, IReadOnlyList<string> Notes)
{
    public TimeSpan Took { get; init; }
}

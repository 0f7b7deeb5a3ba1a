namespace AgentCluster.Benchmarks.Harness;

/// <summary>
/// A bounded measurement: it starts what it needs through <see cref="Bench"/>, drives it over loopback, and
/// stops by itself (counts and durations come from <see cref="Bench.Scale"/>, tiny in smoke mode).
/// </summary>
public interface IScenario
{
    /// <summary>Its number in issue 5's list, the order of a full run.</summary>
    int Number { get; }

    /// <summary>What selects it on the command line, e.g. <c>create</c>.</summary>
    string Name { get; }

    string Description { get; }

    Task<ScenarioReport> RunAsync(Bench bench, CancellationToken cancellationToken);
}

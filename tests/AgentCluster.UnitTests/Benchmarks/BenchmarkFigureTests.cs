using AgentCluster.Benchmarks.Harness;
using AgentCluster.Benchmarks.Scenarios;

namespace AgentCluster.UnitTests.Benchmarks;

/// <summary>
/// A benchmark report holds numbers only: a figure that could not be measured is left out (with a note),
/// and a NaN or infinity fails the scenario that made it, by name, instead of reaching results.json as the
/// string "NaN" (which is how the smoke test once failed on a machine without dotnet-counters).
/// </summary>
public sealed class BenchmarkFigureTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_figure_that_is_not_a_number_fails_where_it_is_made(double value)
    {
        var made = Assert.Throws<ArgumentOutOfRangeException>(() => new Metric("push p50", value, "ms"));
        Assert.Contains("\"push p50\"", made.Message);

        var against = Assert.Throws<ArgumentOutOfRangeException>(() => new Metric("push p50", 1, "ms").Against("redis SET p50", value));
        Assert.Contains("redis SET p50", against.Message);
    }

    [Fact]
    public void A_figure_and_its_baseline_that_are_numbers_are_kept()
    {
        var metric = new Metric("push p50", 3, "ms").Against("redis SET p50", 1.5).AtMost(5);

        Assert.Equal((3, 1.5, 2.0, true), (metric.Value, metric.BaselineValue, metric.Ratio, metric.Met));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, 9_000_000L)]
    [InlineData(8_000_000L, null)]
    public void The_managed_heap_per_session_is_left_out_when_dotnet_counters_read_nothing(long? before, long? after)
    {
        Assert.Null(ScaleScenario.HeapPerSession(before, after, sessions: 200));
    }

    [Fact]
    public void The_managed_heap_per_session_is_the_growth_over_the_sessions()
    {
        var heap = ScaleScenario.HeapPerSession(8_000_000, 8_400_000, sessions: 200)!;

        Assert.Equal(("managed heap/session", 2000.0, true), (heap.Name, heap.Value, heap.Met));
    }
}

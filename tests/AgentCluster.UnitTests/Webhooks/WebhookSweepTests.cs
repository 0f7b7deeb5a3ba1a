using AgentCluster.Silo.Options;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Webhooks;

public class WebhookSweepTests
{
    private const string Owner = "team-a";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly MemorySessionCatalog catalog = new();
    private readonly List<(string? Cursor, int Limit)> reads = [];

    private async Task<IReadOnlyList<string>> Tick(WebhookSweep sweep) =>
        await sweep.NextAsync((cursor, limit) =>
        {
            reads.Add((cursor, limit));
            return catalog.ListAsync(Owner, cursor, limit);
        });

    /// <summary>Sessions s0, s1, … made one hour apart, ending at now.</summary>
    private async Task SessionsHourly(int count)
    {
        for (var i = 0; i < count; i++)
            await catalog.AddAsync(Owner, $"s{i}", time.GetUtcNow() - TimeSpan.FromHours(count - 1 - i));
        await catalog.AddAsync("team-b", "other", time.GetUtcNow());
    }

    [Fact]
    public async Task A_tick_hands_over_the_owners_sessions_made_within_the_window_newest_first_and_stops_paging_at_the_windows_end()
    {
        await SessionsHourly(10); // s0 made 9 h ago … s9 now
        var sweep = new WebhookSweep(new WebhookOptions { SweepWindow = TimeSpan.FromHours(3.5), SweepBatch = 100 }, time);

        Assert.Equal(["s9", "s8", "s7", "s6"], await Tick(sweep)); // not s5 (4 h old), nor another owner's
        Assert.Single(reads); // one page held the window's end: no paging further back
        Assert.Null(sweep.Cursor);

        time.Advance(TimeSpan.FromHours(2)); // the window moves with the clock
        Assert.Equal(["s9", "s8"], await Tick(sweep));
    }

    [Fact]
    public async Task A_busy_owner_is_swept_over_several_ticks_each_within_its_budget_then_from_the_newest_again()
    {
        await SessionsHourly(7);
        var sweep = new WebhookSweep(new WebhookOptions { SweepWindow = TimeSpan.FromDays(2), SweepBatch = 3 }, time);

        Assert.Equal(["s6", "s5", "s4"], await Tick(sweep));
        Assert.NotNull(sweep.Cursor); // stopped at its budget: the next tick goes on from here
        Assert.Equal(["s3", "s2", "s1"], await Tick(sweep));
        Assert.Equal(["s0"], await Tick(sweep)); // the catalog's end
        Assert.Null(sweep.Cursor);

        await catalog.AddAsync(Owner, "s7", time.GetUtcNow());
        Assert.Equal(["s7", "s6", "s5"], await Tick(sweep)); // round again, newest first
        Assert.All(reads, r => Assert.True(r.Limit is > 0 and <= 3)); // never more than the budget read in a tick
    }

    [Fact]
    public async Task An_owner_without_sessions_costs_one_read()
    {
        var sweep = new WebhookSweep(new WebhookOptions(), time);
        Assert.Empty(await Tick(sweep));
        Assert.Equal([(null, 500)], reads);
    }

    [Theory]
    [InlineData("00:00:00", "2.00:00:00", 500)]
    [InlineData("00:01:00", "2.00:00:01", 500)] // longer than finished sessions' cursors are kept: their events could be queued again
    [InlineData("00:01:00", "00:00:00", 500)]
    [InlineData("00:01:00", "1.00:00:00", 0)]
    public void Sweep_options_out_of_range_are_refused_at_start_up(string interval, string window, int batch)
    {
        var options = new WebhookOptions { SweepInterval = TimeSpan.Parse(interval), SweepWindow = TimeSpan.Parse(window), SweepBatch = batch };
        Assert.Single(options.Validate(), e => e.StartsWith("Webhooks:Sweep", StringComparison.Ordinal));
    }
}

using AgentCluster.Silo.Machines;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Pool;

/// <summary>Fly's create budget (1 a second per app, bursts of 3) and the order of those who wait for it, on a fake clock.</summary>
public sealed class CreateBudgetTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => time.GetUtcNow();

    private CreateWaiter Session(int n) => CreateWaiter.Session($"s{n}", Now.AddMilliseconds(n));

    [Fact]
    public void A_burst_goes_at_once_and_the_rest_wait_in_arrival_order_one_per_refill()
    {
        var budget = new CreateBudget(["agents"], Now);

        var tickets = Enumerable.Range(0, 5).Select(n => budget.Ask(Session(n), Now)).ToList();

        Assert.Equal(["agents", "agents", null, null, null], tickets.Select(t => t.App));
        Assert.Equal([0, 1, 2], tickets.Skip(2).Select(t => t.Position));
        Assert.Empty(budget.Due(Now));
        Assert.Equal(Now + CreateBudget.Refill, budget.NextDueAt(Now));

        time.Advance(CreateBudget.Refill);
        Assert.Equal(["s2"], budget.Due(Now).Select(d => d.Waiter.Key));
        time.Advance(CreateBudget.Refill * 2);
        Assert.Equal(["s3", "s4"], budget.Due(Now).Select(d => d.Waiter.Key));
        Assert.Null(budget.NextDueAt(Now));
    }

    [Fact]
    public void It_keeps_under_Flys_limit_of_3_at_once_and_1_a_second()
    {
        Assert.True(CreateBudget.Burst < 3 && CreateBudget.Refill > TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Several_apps_multiply_the_budget_and_share_it_round_the_apps()
    {
        var budget = new CreateBudget(["a", "b"], Now);

        var apps = Enumerable.Range(0, 5).Select(n => budget.Ask(Session(n), Now).App).ToList();

        Assert.Equal(["a", "b", "a", "b", null], apps);
    }

    [Fact]
    public void A_session_waits_behind_earlier_ones_even_when_the_budget_has_room_and_sessions_go_before_pools()
    {
        var budget = new CreateBudget(["agents"], Now);
        for (var n = 0; n < CreateBudget.Burst; n++) budget.Ask(Session(n), Now);
        var pool = budget.Ask(CreateWaiter.Pool("shape"), Now);
        var late = budget.Ask(Session(9), Now);
        Assert.Equal((null, 0), (pool.App, pool.Position));
        Assert.Equal((null, 0), (late.App, late.Position)); // a session goes before any pool refill

        // A session made earlier that asks again (its queue was lost with a node) takes its place ahead.
        var early = budget.Ask(Session(5), Now);
        Assert.Equal(0, early.Position);
        Assert.Equal(1, budget.Ask(Session(9), Now).Position); // asked again: the same entry, one place back

        time.Advance(CreateBudget.Refill * 2);
        Assert.Equal(["s5", "s9"], budget.Due(Now).Select(d => d.Waiter.Key));
        time.Advance(CreateBudget.Refill);
        Assert.Equal(["shape"], budget.Due(Now).Select(d => d.Waiter.Key));
    }

    [Fact]
    public void Unlimited_every_create_goes_at_once_round_the_apps()
    {
        var budget = new CreateBudget(["a", "b"], Now, limited: false);

        Assert.Equal(["a", "b", "a", "b", "a", "b", "a"], Enumerable.Range(0, 7).Select(n => budget.Ask(Session(n), Now).App));
    }

    [Fact]
    public void A_cancelled_waiter_gives_its_turn_to_the_next()
    {
        var budget = new CreateBudget(["agents"], Now);
        for (var n = 0; n < 5; n++) budget.Ask(Session(n), Now);

        budget.Cancel(Session(2));
        time.Advance(CreateBudget.Refill);

        Assert.Equal(["s3"], budget.Due(Now).Select(d => d.Waiter.Key));
        Assert.Equal(1, budget.Waiting);
    }
}

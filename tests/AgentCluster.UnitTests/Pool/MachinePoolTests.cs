using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Pool;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.UnitTests.Pool;

/// <summary>A pool's rules on their own: claims, what is missing, and what goes, on a fake clock.</summary>
public sealed class MachinePoolTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(3);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
    private readonly PoolState state = new();

    private DateTimeOffset Now => time.GetUtcNow();

    private MachinePool Pool(string version = "v1") => new(state, version, BootTimeout);

    private PoolMachine ReadyMachine(MachinePool pool, string name)
    {
        var machine = pool.Add(name, "hash", Now);
        pool.Made(name, new SessionMachine("id-" + name, "iad", "agents"), Now);
        Assert.True(pool.CalledIn(machine, Now));
        return machine;
    }

    [Fact]
    public void A_ready_machine_goes_to_one_session_only_and_the_same_session_asking_again_gets_the_same_one()
    {
        var pool = Pool();
        ReadyMachine(pool, "p1");
        time.Advance(TimeSpan.FromSeconds(1));
        ReadyMachine(pool, "p2");

        var first = pool.Claim("s1", Now);
        var again = pool.Claim("s1", Now);
        var second = pool.Claim("s2", Now);

        Assert.Equal(("p1", "p1", "p2"), (first?.Name, again?.Name, second?.Name)); // the longest-ready first
        Assert.Null(pool.Claim("s3", Now));
        Assert.Equal(2, pool.ClaimedTotal);
    }

    [Fact]
    public void Missing_counts_machines_being_made_and_booting_so_a_refill_never_overshoots()
    {
        var pool = Pool();
        Assert.Equal(3, pool.Missing(3));
        pool.Add("p1", "hash", Now);
        ReadyMachine(pool, "p2");
        Assert.Equal(1, pool.Missing(3));
        pool.Claim("s1", Now);
        Assert.Equal(2, pool.Missing(3)); // a claimed machine is the session's: the pool makes another
        Assert.Equal(0, pool.Missing(0));
    }

    [Fact]
    public void A_booting_machine_is_not_claimed_and_one_that_never_calls_in_is_replaced_after_the_boot_timeout()
    {
        var pool = Pool();
        var booting = pool.Add("p1", "hash", Now);
        pool.Made("p1", new SessionMachine("id-p1", "iad", "agents"), Now);

        Assert.Null(pool.Claim("s1", Now));
        time.Advance(BootTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal([booting], pool.Expired(Now).Destroy);
    }

    [Fact]
    public void Unclaimed_machines_of_a_stale_config_go_claimed_ones_are_forgotten_once_their_agents_had_time()
    {
        var claimed = ReadyMachine(Pool("v1"), "taken");
        Pool("v1").Claim("s1", Now);
        ReadyMachine(Pool("v1"), "old");
        var pool = Pool("v2"); // the image or the node's settings changed

        Assert.Null(pool.Claim("s2", Now)); // a stale machine serves nobody
        var (destroy, forget) = pool.Expired(Now);
        Assert.Equal(["old"], destroy.Select(m => m.Name));
        Assert.Empty(forget);

        time.Advance(MachinePool.ClaimKept + TimeSpan.FromSeconds(1));
        Assert.Equal([claimed], pool.Expired(Now).Forget);
    }

    [Fact]
    public void A_shape_is_named_the_same_on_every_node_and_differently_per_image_guest_and_region()
    {
        var guest = new GuestSpec { CpuKind = "shared", Cpus = 1, MemoryMb = 1024 };
        var shape = new MachineShape("registry.fly.io/agent:1", guest, "iad");

        Assert.Equal(shape.Name, new MachineShape("registry.fly.io/agent:1", guest with { }, "iad").Name);
        Assert.StartsWith("shared-cpu-1x-1024mb-iad-", shape.Name);
        Assert.Equal(4, new[] { shape, shape with { Image = "registry.fly.io/agent:2" }, shape with { Region = "ams" }, shape with { Guest = guest with { MemoryMb = 2048 } } }
            .Select(s => s.Name).Distinct().Count());
    }
}

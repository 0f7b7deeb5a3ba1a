using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;

namespace AgentCluster.UnitTests.Presets;

/// <summary>Machine sizes are held to Fly's rules, and each refusal names the field and the rule it breaks.</summary>
public sealed class FlyGuestsTests
{
    [Theory]
    [InlineData("shared", 1, 256)]
    [InlineData("shared", 1, 2048)]
    [InlineData("shared", 2, 4096)]
    [InlineData("shared", 8, 16384)]
    [InlineData("shared", 6, 1536)]
    [InlineData("performance", 1, 2048)]
    [InlineData("performance", 2, 4096)]
    [InlineData("performance", 1, 8192)]
    [InlineData("performance", 16, 131072)]
    [InlineData("performance", 4, 9216)]
    public void Sizes_Fly_offers_are_accepted(string kind, int cpus, int memory) =>
        Assert.Empty(FlyGuests.Problems(new GuestSpec { CpuKind = kind, Cpus = cpus, MemoryMb = memory }));

    [Theory]
    [InlineData("dedicated", 1, 1024, "guest.cpu_kind", "'shared' or 'performance'")]
    [InlineData("shared", 0, 256, "guest.cpus", "one of 1, 2, 4, 6, 8")]
    [InlineData("shared", 3, 768, "guest.cpus", "one of 1, 2, 4, 6, 8")]
    [InlineData("shared", 16, 4096, "guest.cpus", "for shared CPUs (got 16)")]
    [InlineData("performance", 3, 6144, "guest.cpus", "one of 1, 2, 4, 6, 8, 10, 12, 14, 16")]
    [InlineData("performance", 32, 65536, "guest.cpus", "got 32")]
    [InlineData("shared", 1, 128, "guest.memory_mb", "between 256 and 2048 MB")]
    [InlineData("shared", 1, 4096, "guest.memory_mb", "between 256 and 2048 MB")]
    [InlineData("shared", 2, 1000, "guest.memory_mb", "a multiple of 256")]
    [InlineData("shared", 2, 256, "guest.memory_mb", "between 512 and 4096 MB")]
    [InlineData("performance", 1, 1024, "guest.memory_mb", "between 2048 and 8192 MB")]
    [InlineData("performance", 2, 20480, "guest.memory_mb", "between 4096 and 16384 MB")]
    [InlineData("performance", 1, 2304, "guest.memory_mb", "a multiple of 1024")]
    public void Sizes_Fly_refuses_are_refused_naming_the_field_and_the_rule(string kind, int cpus, int memory, string field, string rule)
    {
        var problem = Assert.Single(FlyGuests.Problems(new GuestSpec { CpuKind = kind, Cpus = cpus, MemoryMb = memory }));
        Assert.Equal(field, problem.Field);
        Assert.StartsWith(field + " ", problem.Message);
        Assert.Contains(rule, problem.Message);

        var refused = Assert.Throws<SessionException>(() => FlyGuests.Validate(new GuestSpec { CpuKind = kind, Cpus = cpus, MemoryMb = memory }));
        Assert.Equal((SessionErrorKind.Invalid, field), (refused.Kind, refused.Field));
    }

    [Fact]
    public void What_a_guest_leaves_out_is_filled_in_as_Fly_fills_it_in()
    {
        Assert.Equal(new GuestSpec { CpuKind = "shared", Cpus = 1, MemoryMb = 256 }, FlyGuests.Complete(new GuestSpec()));
        Assert.Equal(new GuestSpec { CpuKind = "shared", Cpus = 4, MemoryMb = 1024 }, FlyGuests.Complete(new GuestSpec { Cpus = 4 }));
        Assert.Equal(new GuestSpec { CpuKind = "performance", Cpus = 2, MemoryMb = 4096 }, FlyGuests.Complete(new GuestSpec { CpuKind = "performance", Cpus = 2 }));
        Assert.Equal(new GuestSpec { CpuKind = "shared", Cpus = 1, MemoryMb = 1024 }, FlyGuests.Complete(new GuestSpec { MemoryMb = 1024 }));
        // So a partial guest is checked as what it becomes: one shared CPU cannot have 4 GB.
        Assert.Equal("guest.memory_mb", Assert.Single(FlyGuests.Problems(new GuestSpec { MemoryMb = 4096 })).Field);
    }

    [Fact]
    public void The_default_tiers_are_valid_and_a_configured_tier_is_held_to_the_same_rules()
    {
        var tiers = new TierOptions();
        Assert.Empty(tiers.Validate());
        Assert.Equal(new GuestSpec { CpuKind = "shared", Cpus = 1, MemoryMb = 512 }, tiers.GuestFor("small"));
        Assert.Equal(new GuestSpec { CpuKind = "shared", Cpus = 2, MemoryMb = 2048 }, tiers.GuestFor("medium"));
        Assert.Equal(new GuestSpec { CpuKind = "performance", Cpus = 2, MemoryMb = 4096 }, tiers.GuestFor("large"));
        Assert.Null(tiers.GuestFor("huge"));

        tiers.Tiers["large"].MemoryMb = 1024;
        tiers.Tiers["Bad Name"] = new TierSize { CpuKind = "shared", Cpus = 1, MemoryMb = 256 };
        var problems = tiers.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("Tiers:large.memory_mb must be between 4096 and 16384 MB"));
        Assert.Contains(problems, p => p.StartsWith("Tiers:Bad Name: a tier name is"));
    }
}

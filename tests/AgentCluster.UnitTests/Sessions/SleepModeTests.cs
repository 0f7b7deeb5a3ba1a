using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Machines;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>Which idle machines sleep by suspend: Fly's condition on memory, on the guest as Fly completes it.</summary>
public sealed class SleepModeTests
{
    [Theory]
    [InlineData("shared", 1, 256, SleepMode.Suspend)]
    [InlineData("shared", 1, 1024, SleepMode.Suspend)]
    [InlineData("shared", 1, 2048, SleepMode.Suspend)]
    [InlineData("shared", 2, 2304, SleepMode.Stop)]
    [InlineData("shared", 8, 16384, SleepMode.Stop)]
    [InlineData("performance", 1, 2048, SleepMode.Suspend)]
    [InlineData("performance", 1, 4096, SleepMode.Stop)]
    public void A_machine_of_at_most_2_GB_is_suspended_and_a_larger_one_stopped(string kind, int cpus, int memoryMb, SleepMode mode)
    {
        Assert.Equal(mode, SleepModes.For(new GuestSpec { CpuKind = kind, Cpus = cpus, MemoryMb = memoryMb }));
    }

    [Theory]
    [InlineData(null, null, SleepMode.Suspend)] // Fly's default: 1 shared CPU, 256 MB
    [InlineData("performance", 1, SleepMode.Suspend)] // 2048 MB
    [InlineData("performance", 2, SleepMode.Stop)] // 4096 MB
    [InlineData("shared", 8, SleepMode.Suspend)] // 2048 MB: 256 per CPU
    public void A_guest_without_memory_gets_what_Fly_would_give_it(string? kind, int? cpus, SleepMode mode)
    {
        Assert.Equal(mode, SleepModes.For(new GuestSpec { CpuKind = kind, Cpus = cpus }));
    }
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentCluster.UnitTests.Cost;

/// <summary>The price table: Fly's published rates by default, a machine priced as Fly prices it, bad prices refused at start.</summary>
public sealed class PricingTests
{
    [Theory]
    // Rows of Fly's pricing table for Ashburn (per second, as the page rounds them to 8 places).
    [InlineData("shared", 1, 256, 0.00000075)]
    [InlineData("shared", 1, 1024, 0.00000220)]
    [InlineData("shared", 2, 2048, 0.00000440)]
    [InlineData("performance", 1, 2048, 0.00001196)]
    [InlineData("performance", 2, 8192, 0.00003164)]
    public void The_default_prices_are_flys_published_rates(string cpuKind, int cpus, int memoryMb, double perSecond)
    {
        var prices = new MachinePrices(Microsoft.Extensions.Options.Options.Create(new PricingOptions()));
        var guest = new GuestSpec { CpuKind = cpuKind, Cpus = cpus, MemoryMb = memoryMb };
        Assert.Equal((decimal)perSecond, Math.Round(prices.PerSecond(guest), 8));
        Assert.Equal(Math.Round(prices.PerSecond(guest) * 3600, 8), prices.CostOf(guest, 3600));
    }

    [Fact]
    public void Configured_prices_replace_the_defaults()
    {
        var prices = new MachinePrices(PricingFrom(new() { ["Pricing:SharedCpuPerSecond"] = "0.000001", ["Pricing:MemoryGbPerSecond"] = "0" }).Value);
        Assert.Equal(0.0036m, prices.CostOf(new GuestSpec { CpuKind = "shared", Cpus = 1, MemoryMb = 2048 }, 3600));
    }

    [Theory]
    [InlineData("Pricing:SharedCpuPerSecond", "-0.000001", "Pricing:SharedCpuPerSecond must be a price per second")]
    [InlineData("Pricing:PerformanceCpuPerSecond", "31", "Pricing:PerformanceCpuPerSecond must be a price per second")]
    [InlineData("Pricing:MemoryGbPerSecond", "5", "Pricing:MemoryGbPerSecond must be a price per second")]
    [InlineData("Pricing:SharedIncludedMemoryMb", "-1", "Pricing:SharedIncludedMemoryMb must not be negative")]
    public void A_bad_price_stops_the_node_naming_the_setting(string setting, string value, string message)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => PricingFrom(new() { [setting] = value }).Value.Value);
        Assert.Contains(failure.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_price_table_and_no_default_budget_are_valid()
    {
        Assert.Empty(new PricingOptions().Validate());
        Assert.Equal(0.00000075m, PricingFrom([]).Value.Value.SharedCpuPerSecond);
        Assert.Null(new Silo.Options.AgentSessionOptions().MaxMachineSeconds);
        Assert.Contains(new Silo.Options.AgentSessionOptions { MaxMachineSeconds = 0 }.Validate(), p => p.StartsWith("Sessions:MaxMachineSeconds must be", StringComparison.Ordinal));
    }

    /// <summary>The options as the node registers them (CostHosting), from these settings.</summary>
    private static Lazy<IOptions<PricingOptions>> PricingFrom(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddCost(config).BuildServiceProvider();
        return new(() =>
        {
            var options = services.GetRequiredService<IOptions<PricingOptions>>();
            _ = options.Value; // validated here, as ValidateOnStart does when the node starts
            return options;
        });
    }
}

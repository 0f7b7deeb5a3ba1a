using AgentCluster.Tests.Infrastructure;
using AgentCluster.Abstractions.Presets;

namespace AgentCluster.Tests.Presets;

/// <summary>A node with a bad preset, tier or default region refuses to start, and says which file, setting and field to fix.</summary>
public sealed class PresetStartupTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly PresetFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_bad_preset_stops_the_node_naming_the_file_and_the_field()
    {
        folder.Write("fine.yaml", "id: fine\nruntime: shell\n");
        var broken = folder.Write("broken.yaml", "id: broken\nruntime: shell\nmax_turns: 0\n");
        var misspelt = folder.Write("misspelt.yaml", "id: misspelt\nruntime: shell\nmodle: x\n");

        var (exitCode, log) = await NodeHost.RunToExitAsync(new Dictionary<string, string> { ["Presets__Directory"] = folder.Path }, Deadline);

        Assert.Equal(1, exitCode);
        Assert.Contains("AgentCluster cannot start", log);
        Assert.Contains($"Preset file '{broken}': max_turns must be at least 1 (got 0).", log);
        Assert.Contains($"Preset file '{misspelt}': 'modle' is not a preset field", log);
        Assert.DoesNotContain("Now listening on", log);
    }

    [Theory]
    [InlineData("Tiers__large__MemoryMb", "1000", "Tiers:large.memory_mb must be between 4096 and 16384 MB")]
    [InlineData("Tiers__xl__CpuKind", "gpu", "Tiers:xl.cpu_kind must be 'shared' or 'performance' (got 'gpu')")]
    [InlineData("FLY_REGION", "xyz", "FLY_REGION (Sessions:Region) 'xyz' is not a Fly region")]
    [InlineData("Sessions__Cpus", "3", "Sessions.cpus must be one of 1, 2, 4, 6, 8")]
    [InlineData("Presets__Directory", "/nonexistent/presets", "Presets:Directory '/nonexistent/presets' does not exist")]
    public async Task A_bad_tier_default_size_region_or_folder_stops_the_node_naming_it(string variable, string value, string expected)
    {
        var (exitCode, log) = await NodeHost.RunToExitAsync(new Dictionary<string, string> { [variable] = value }, Deadline);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, log);
        Assert.DoesNotContain("Now listening on", log);
    }
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;
using AgentCluster.Silo.Machines;
using AgentCluster.Silo.Options;

namespace AgentCluster.UnitTests.Presets;

/// <summary>A region is one of Fly's codes; anything else is refused with the codes there are.</summary>
public sealed class FlyRegionsTests
{
    [Theory]
    [InlineData("iad")]
    [InlineData("ams")]
    [InlineData("syd")]
    [InlineData("gru")]
    public void Fly_region_codes_are_known(string code)
    {
        Assert.True(FlyRegions.IsKnown(code));
        Assert.Null(FlyRegions.Problem("region", code));
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("IAD")]
    [InlineData("iad ")]
    [InlineData("")]
    [InlineData("us-east-1")]
    public void Anything_else_is_refused_with_the_codes_listed(string code)
    {
        Assert.False(FlyRegions.IsKnown(code));
        var problem = FlyRegions.Problem("region", code)!;
        Assert.Contains($"'{code}' is not a Fly region", problem);
        Assert.Contains("ams, arn, atl", problem);

        var refused = Assert.Throws<SessionException>(() =>
            StartSessionRules.Validate(new StartSession { Prompt = "x", Region = code }, new AgentSessionOptions()));
        Assert.Equal("region", refused.Field);
    }
}

using System.Text;
using AgentCluster.Abstractions.Control;

namespace AgentCluster.UnitTests.Control;

public sealed class Utf8CutTests
{
    [Theory]
    [InlineData("abc", 3, 3)]
    [InlineData("aé", 2, 1)]    // é is 2 bytes: cut after its lead byte, it is left out
    [InlineData("aé", 3, 3)]
    [InlineData("a€", 3, 1)]    // € is 3 bytes
    [InlineData("a😀", 4, 1)]   // 4 bytes
    [InlineData("a😀", 5, 5)]
    public void A_cut_never_splits_a_character(string text, int limit, int whole)
    {
        Assert.Equal(whole, Utf8Cut.WholeLength(Encoding.UTF8.GetBytes(text).AsSpan(0, limit)));
    }

    [Fact]
    public void A_prefix_is_the_longest_start_that_fits()
    {
        Assert.Equal(("héllo", false), Utf8Cut.Prefix("héllo", 6));
        Assert.Equal(("h", true), Utf8Cut.Prefix("héllo", 2));
        Assert.Equal(("hé", true), Utf8Cut.Prefix("héllo", 3));
    }
}

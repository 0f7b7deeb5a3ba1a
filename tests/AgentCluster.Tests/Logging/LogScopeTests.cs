using AgentCluster.Silo.Logging;

namespace AgentCluster.Tests.Logging;

/// <summary>A session's scope holds its id, and its machine's id once it has one; never an empty field.</summary>
public sealed class LogScopeTests
{
    [Fact]
    public void A_session_without_a_machine_has_only_its_id()
    {
        var scope = LogScope.ForSession("ses_1");
        var field = Assert.Single(scope);
        Assert.Equal(new KeyValuePair<string, object?>(LogScope.SessionId, "ses_1"), field);
        Assert.Equal("SessionId:ses_1", scope.ToString());
    }

    [Fact]
    public void A_session_with_a_machine_has_both_ids_in_order()
    {
        var scope = LogScope.ForSession("ses_1", "m_9");
        Assert.Equal(
            [new(LogScope.SessionId, "ses_1"), new(LogScope.MachineId, "m_9")],
            scope.ToArray());
        Assert.Equal(2, scope.Count);
        Assert.Equal("m_9", scope[1].Value);
    }
}

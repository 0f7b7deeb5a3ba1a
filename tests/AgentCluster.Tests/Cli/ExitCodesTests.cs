using AgentCluster.Abstractions.Sessions;
using AgentCluster.Cli;

namespace AgentCluster.Tests.Cli;

/// <summary>The exit code of <c>run</c> and <c>send</c> for each turn outcome (docs/cli.md's table).</summary>
public sealed class ExitCodesTests
{
    [Theory]
    [InlineData(TurnOutcomes.Success, null, 0)]
    [InlineData(TurnOutcomes.Success, 2, 8)]
    [InlineData(TurnOutcomes.Error, null, 3)]
    [InlineData(TurnOutcomes.Failed, null, 4)]
    [InlineData(TurnOutcomes.MaxTurns, null, 5)]
    [InlineData(TurnOutcomes.Timeout, null, 6)]
    [InlineData(TurnOutcomes.Interrupted, null, 7)]
    public void Each_outcome_has_its_own_exit_code(string outcome, int? deniedTools, int exitCode) =>
        Assert.Equal(exitCode, ExitCodes.ForTurn(EventPayloads.TurnCompleted(outcome, null, null, null, null, deniedTools)));

    [Fact]
    public void The_docs_list_every_exit_code() =>
        Assert.All(typeof(ExitCodes).GetFields().Where(f => f.IsLiteral), f =>
            Assert.Matches($@"\| `{f.GetRawConstantValue()}` \|", RepositoryFiles.Read("docs/cli.md")));
}

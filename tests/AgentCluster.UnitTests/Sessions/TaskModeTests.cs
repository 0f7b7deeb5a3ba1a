using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.UnitTests.Sessions;

/// <summary>When a one-shot task is over and how it ended; a session in the default mode never ends this way.</summary>
public sealed class TaskModeTests
{
    [Theory]
    [InlineData(TurnOutcomes.Success, TerminationReason.Completed)]
    [InlineData(TurnOutcomes.Error, TerminationReason.Failed)]
    [InlineData(TurnOutcomes.Interrupted, TerminationReason.Failed)]
    [InlineData(TurnOutcomes.Timeout, TerminationReason.Failed)]
    [InlineData(TurnOutcomes.MaxTurns, TerminationReason.Failed)]
    [InlineData(TurnOutcomes.Failed, TerminationReason.Failed)]
    public void A_task_ends_once_its_turns_are_done_by_the_last_ones_outcome(string outcome, TerminationReason reason)
    {
        Assert.Null(TaskMode.EndReason(SessionModes.Task, 0, 1, null));
        Assert.Null(TaskMode.EndReason(SessionModes.Task, 1, 2, outcome)); // a turn queued before the first ended runs too
        Assert.Equal(reason, TaskMode.EndReason(SessionModes.Task, 2, 2, outcome));
    }

    [Fact]
    public void A_session_never_ends_because_its_turns_are_done()
    {
        Assert.Null(TaskMode.EndReason(SessionModes.Session, 3, 3, TurnOutcomes.Success));
        Assert.Null(TaskMode.EndReason(null, 3, 3, TurnOutcomes.Success));
    }

    [Theory]
    [InlineData("Task")]
    [InlineData("oneshot")]
    [InlineData("")]
    public void Another_mode_is_refused_naming_the_field(string mode)
    {
        var refused = Assert.Throws<SessionException>(() => TaskMode.Validate(mode));
        Assert.Equal((SessionErrorKind.Invalid, "mode"), (refused.Kind, refused.Field));
        TaskMode.Validate(null);
        TaskMode.Validate(SessionModes.Task);
    }
}

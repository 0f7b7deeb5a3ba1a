using AgentCluster.Abstractions.Sessions;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// Direct grain calls act for the owner they name (<see cref="SessionCaller"/>), as the front door acts for an API
/// key: a session started while acting for an owner is that owner's, and to any other owner it is missing.
/// </summary>
[Collection(SessionClusterCollection.Name)]
public sealed class SessionCallerTests(SessionClusterFixture fixture)
{
    [Fact]
    public async Task A_call_that_names_an_owner_reaches_only_that_owners_sessions()
    {
        var id = SessionClusterFixture.NewId();
        var session = fixture.Session(id);
        using (SessionCaller.ActAs("reports"))
        {
            await session.StartAsync(new StartSession { Prompt = "echo hi" });
            Assert.Equal(id, (await session.GetAsync())?.SessionId);
        }
        try
        {
            Assert.Equal("reports", (await session.GetAsync())?.Owner); // no owner named: the cluster's own view

            using (SessionCaller.ActAs("billing"))
            {
                Assert.Null(await session.GetAsync());
                foreach (var call in new Func<Task>[]
                {
                    () => session.SendMessageAsync("next"), () => session.InterruptAsync(), () => session.RestartAsync(),
                    () => session.DeleteAsync(), () => session.OpenMachineAsync(TimeSpan.FromSeconds(1)),
                    async () => { await foreach (var _ in session.WatchAsync(0)) { } },
                })
                {
                    var refused = await Assert.ThrowsAsync<SessionException>(call);
                    Assert.Equal(SessionErrorKind.NotFound, refused.Kind);
                }
                var taken = await Assert.ThrowsAsync<SessionException>(() => session.StartAsync(new StartSession { Prompt = "echo hi" }));
                Assert.Equal(SessionErrorKind.Conflict, taken.Kind);
                var mismatch = await Assert.ThrowsAsync<SessionException>(() =>
                    fixture.Session(SessionClusterFixture.NewId()).StartAsync(new StartSession { Prompt = "echo hi", Owner = "reports" }));
                Assert.Equal("owner", mismatch.Field);
            }
            Assert.NotEqual(SessionStatus.Terminated, (await session.GetAsync())!.Status); // billing's delete did nothing
        }
        finally
        {
            using (SessionCaller.ActAs("reports")) await session.DeleteAsync();
        }
    }
}

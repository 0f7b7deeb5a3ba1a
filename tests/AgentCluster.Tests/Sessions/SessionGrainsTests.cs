using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Sessions;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// The front door's session references (<see cref="SessionGrains"/>) skip Orleans' per-call interface lookup: they
/// must still be exactly the references GetGrain gives, for the first id and every one after it.
/// </summary>
[Collection(SessionClusterCollection.Name)]
public sealed class SessionGrainsTests(SessionClusterFixture fixture)
{
    [Fact]
    public async Task A_session_reference_is_the_one_GetGrain_gives_and_reaches_the_same_session()
    {
        var (started, unknown) = (SessionClusterFixture.NewId(), SessionClusterFixture.NewId());
        await fixture.Session(started).StartAsync(new StartSession { Prompt = "echo hi" });
        try
        {
            foreach (var id in new[] { started, unknown, started })
            {
                var made = (GrainReference)fixture.Grains.Session(id);
                var expected = (GrainReference)fixture.Grains.GetGrain<ISessionGrain>(id);
                Assert.Equal(expected.GrainId, made.GrainId);
                Assert.Equal(expected.InterfaceType, made.InterfaceType);
            }
            Assert.Equal(started, (await fixture.Grains.Session(started).GetAsync())?.SessionId);
            Assert.Null(await fixture.Grains.Session(unknown).GetAsync());
        }
        finally
        {
            await fixture.Session(started).DeleteAsync();
        }
    }
}

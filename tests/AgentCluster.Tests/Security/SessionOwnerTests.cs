using AgentCluster.Abstractions.Sessions;
using AgentCluster.Fly.Models;
using AgentCluster.Silo.Machines;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Security;

/// <summary>The session keeps its owner, and refuses a start by anyone else before it looks at the request.</summary>
[Collection(SessionClusterCollection.Name)]
public sealed class SessionOwnerTests(SessionClusterFixture fixture)
{
    [Fact]
    public async Task A_session_id_started_by_one_owner_is_refused_to_another_and_keeps_one_machine()
    {
        var id = SessionClusterFixture.NewId();
        var started = await fixture.Session(id).StartAsync(new StartSession { Prompt = "echo mine", Owner = "team-a" });
        Assert.Equal("team-a", started.Session.Owner);

        var refused = await Assert.ThrowsAsync<SessionException>(() => fixture.Session(id).StartAsync(new StartSession
        {
            Prompt = "echo theirs",
            Owner = "team-b",
            Env = new Dictionary<string, string> { ["INJECTED"] = "1" },
        }));
        Assert.Equal((SessionErrorKind.Conflict, "session_id"), (refused.Kind, refused.Field));
        Assert.DoesNotContain("team-a", refused.Message);
        // No owner is the keyless owner, "local": another owner too.
        Assert.Equal(SessionErrorKind.Conflict, (await Assert.ThrowsAsync<SessionException>(() =>
            fixture.Session(id).StartAsync(new StartSession { Prompt = "echo x" }))).Kind);

        var again = await fixture.Session(id).StartAsync(new StartSession { Prompt = "echo again", Owner = "team-a" });
        Assert.False(again.Created);
        var machines = (await fixture.Machines.ListMachinesByMetadataAsync(SessionClusterFixture.App, SessionMachines.SessionMetadataKey, id))
            .Where(m => MachineStates.IsActive(m.State)).ToList();
        Assert.DoesNotContain("INJECTED", Assert.Single(machines).Config!.Env!.Keys);
        await fixture.Session(id).DeleteAsync();
    }

    [Fact]
    public async Task A_session_started_without_an_owner_belongs_to_local()
    {
        var id = SessionClusterFixture.NewId();
        Assert.Equal("local", (await fixture.Session(id).StartAsync(new StartSession { Prompt = "echo anon" })).Session.Owner);
        await fixture.Session(id).DeleteAsync();
    }
}

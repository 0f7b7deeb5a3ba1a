using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Sessions;

/// <summary>
/// The agent's setup (settings and its model token over its authenticated channel), the model gateway's checks of
/// that token, and the client's interrupt, on a SessionGrain in a TestCluster; the test plays the agent.
/// </summary>
[Collection(SessionClusterCollection.Name)]
public sealed class InterruptAndSetupTests(SessionClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private async Task<(ISessionGrain Session, string Token)> StartAsync(StartSession request)
    {
        var session = fixture.Session(SessionClusterFixture.NewId());
        var started = await session.StartAsync(request);
        return (session, await fixture.AgentTokenAsync(started.Session.MachineId!));
    }

    [Fact]
    public async Task The_agent_fetches_its_settings_and_a_model_token_and_neither_it_nor_the_machine_config_holds_the_sessions_key()
    {
        var settings = new AgentSettings { Model = "claude-test-1", SystemPrompt = "Be brief.", AllowedTools = ["Read", "Bash"], MaxTurns = 7 };
        var (session, token) = await StartAsync(new StartSession
        {
            Prompt = "hello", Runtime = "anthropic", Agent = settings, ApiKey = new SecretText("sk-ant-session-only"),
        });

        var setup = await session.AgentSetupAsync(token);
        Assert.Equal(settings.Model, setup.Settings.Model);
        Assert.Equal(settings.AllowedTools, setup.Settings.AllowedTools);
        Assert.Equal(7, setup.Settings.MaxTurns);
        var modelToken = setup.Credentials["ANTHROPIC_API_KEY"];
        Assert.StartsWith("amt_", modelToken);
        Assert.DoesNotContain(setup.Credentials.Values, v => v.Contains("sk-ant-session-only"));
        Assert.DoesNotContain("amt_", setup.ToString());

        // The gateway's check: this session's model token opens it, with the session's key (encrypted) to add upstream.
        var grant = await session.AuthorizeModelCallAsync(modelToken);
        Assert.NotNull(grant.ProtectedApiKey);
        Assert.DoesNotContain("sk-ant-session-only", grant.ProtectedApiKey);
        Assert.Equal(SessionErrorKind.Forbidden, (await Assert.ThrowsAsync<SessionException>(() => session.AuthorizeModelCallAsync(token))).Kind);
        // A restarted agent gets a new token, and the one before dies with the process it was handed to.
        var again = (await session.AgentSetupAsync(token)).Credentials["ANTHROPIC_API_KEY"];
        Assert.NotEqual(modelToken, again);
        Assert.Equal(SessionErrorKind.Forbidden, (await Assert.ThrowsAsync<SessionException>(() => session.AuthorizeModelCallAsync(modelToken))).Kind);
        await session.RecordModelUsageAsync(again, "claude-haiku-4-5-20251001", new TokenUsage(1000, 100));
        var metered = (await session.GetAsync())!;
        Assert.Equal((new TokenUsage(1000, 100), 0.0015m), (metered.ModelUsage, metered.ModelCostUsd)); // $1 and $5 per million
        await session.DeleteAsync();
        Assert.Equal(SessionErrorKind.Terminated, (await Assert.ThrowsAsync<SessionException>(() => session.AuthorizeModelCallAsync(again))).Kind);

        var view = (await session.GetAsync())!;
        Assert.Equal(("anthropic", "claude-test-1"), (view.Runtime, view.Model));
        var machine = await fixture.Machines.GetMachineAsync(SessionClusterFixture.App, view.MachineId!);
        Assert.DoesNotContain(machine.Config!.Env!.Values, v => v.Contains("sk-ant-session-only"));
        var events = await SessionClusterFixture.ReadAllAsync(session, 0);
        Assert.DoesNotContain(events, e => e.Payload.Contains("sk-ant-session-only") || e.Payload.Contains(modelToken));

        var wrong = await Assert.ThrowsAsync<SessionException>(() => session.AgentSetupAsync("not-the-token"));
        Assert.Equal(SessionErrorKind.Forbidden, wrong.Kind);
    }

    [Fact]
    public async Task A_model_runtime_without_a_key_anywhere_is_refused_and_a_shell_session_gets_no_credentials()
    {
        var refused = await Assert.ThrowsAsync<SessionException>(() =>
            fixture.Session(SessionClusterFixture.NewId()).StartAsync(new StartSession { Prompt = "hello", Runtime = "claude-code" }));
        Assert.Equal((SessionErrorKind.Invalid, "runtime"), (refused.Kind, refused.Field));
        Assert.Contains("ANTHROPIC_API_KEY", refused.Message);

        var (session, token) = await StartAsync(new StartSession { Prompt = "echo hi", ApiKey = new SecretText("sk-ant-unused"), Runtime = "shell" });
        Assert.Empty((await session.AgentSetupAsync(token)).Credentials);
        // No model token was ever issued: nothing opens a shell session's model gateway.
        Assert.Equal(SessionErrorKind.Forbidden, (await Assert.ThrowsAsync<SessionException>(() => session.AuthorizeModelCallAsync(""))).Kind);
    }

    [Fact]
    public async Task An_interrupt_reaches_the_agents_watch_on_its_turn_and_the_session_goes_on()
    {
        var (session, token) = await StartAsync(new StartSession { Prompt = "sleep 600" });
        Assert.Equal(1, (await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero))!.Turn);

        Assert.Null(await session.AgentWatchTurnAsync(token, 1, TimeSpan.Zero));
        var watch = session.AgentWatchTurnAsync(token, 1, AgentProtocol.MaxPollWait);
        Assert.False(watch.IsCompleted);
        Assert.Equal(1, await session.InterruptAsync());
        Assert.Equal(new AgentInterrupt(1), await watch.WaitAsync(Deadline));

        // The agent reports the turn as interrupted; the next message runs as turn 2.
        await session.AgentPushAsync(token, new AgentEventBatch("a1",
        [
            new AgentEvent { Seq = 1, Type = EventTypes.TurnCompleted, Turn = 1, Payload = EventPayloads.TurnCompleted(TurnOutcomes.Interrupted, null) },
        ]));
        Assert.Equal(SessionStatus.Idle, (await session.GetAsync())!.Status);
        var nothing = await Assert.ThrowsAsync<SessionException>(session.InterruptAsync);
        Assert.Equal(SessionErrorKind.Conflict, nothing.Kind);

        Assert.Equal(2, await session.SendMessageAsync("echo after"));
        Assert.Equal(new AgentTurn(2, "echo after"), await session.AgentNextTurnAsync(token, "a1", 1, TimeSpan.Zero));
        Assert.Null(await session.AgentWatchTurnAsync(token, 2, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_turn_the_agent_has_not_taken_ends_at_once_as_interrupted_and_never_runs()
    {
        var (session, token) = await StartAsync(new StartSession { Prompt = "rm -rf build" });

        Assert.Equal(1, await session.InterruptAsync());

        var completed = (await SessionClusterFixture.ReadAllAsync(session, 0)).Single(e => e.Type == EventTypes.TurnCompleted);
        Assert.Equal(1, completed.Turn);
        Assert.Contains("\"interrupted\"", completed.Payload);
        Assert.Null(await session.AgentNextTurnAsync(token, "a1", 0, TimeSpan.Zero));
    }
}

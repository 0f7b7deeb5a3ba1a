using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Logging;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentCluster.Tests.Logging;

/// <summary>
/// A session's log lines, its own and those of the calls it makes (the Fly client's), carry its session and
/// machine ids as scope fields, and none of them holds a secret it was given.
/// </summary>
public sealed class SessionLogTests(SessionLogTests.LoggedCluster fixture) : IClassFixture<SessionLogTests.LoggedCluster>
{
    private const string EnvSecret = "env-secret-7f3a9c";

    public sealed class LoggedCluster : SessionClusterFixture
    {
        public FakeLogCollector Logs { get; } = new();

        protected override void Configure(Dictionary<string, string?> settings, IServiceCollection services) =>
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(Logs)));
    }

    [Fact]
    public async Task A_sessions_lines_carry_its_ids_as_scopes_and_no_secret()
    {
        var id = SessionClusterFixture.NewId();
        var session = fixture.Session(id);
        var started = await session.StartAsync(new StartSession
        {
            Prompt = "echo hi",
            Env = new Dictionary<string, string> { ["SECRET"] = EnvSecret },
        });
        var machineId = started.Session.MachineId!;
        var token = await fixture.AgentTokenAsync(machineId);
        await session.DeleteAsync();

        var mine = fixture.Logs.GetSnapshot().Where(r => Scope(r, LogScope.SessionId) == id).ToList();
        var startedLine = Assert.Single(mine, r => r.Message.Contains("started on machine"));
        Assert.Equal(LogLevel.Information, startedLine.Level);
        var terminated = Assert.Single(mine, r => r.Message.Contains("terminated: deleted"));
        Assert.Equal(machineId, Scope(terminated, LogScope.MachineId));
        // A line the session did not write itself: the Fly client's, sending the machine create inside the session's call.
        Assert.Contains(mine, r => r.Category is { } category && category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal) && r.Message.Contains("/machines"));

        foreach (var record in fixture.Logs.GetSnapshot())
        {
            var text = record.Message + " " + string.Join(' ', record.Scopes) + " " + record.Exception;
            Assert.DoesNotContain(EnvSecret, text);
            Assert.DoesNotContain(token, text);
        }
    }

    private static string? Scope(FakeLogRecord record, string key) =>
        record.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>()
            .SelectMany(s => s).Where(p => p.Key == key).Select(p => p.Value?.ToString()).LastOrDefault();
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentCluster.Tests.Cli;

/// <summary>
/// One node on its embedded default (the emulator in the node, agents as local processes running shell turns), that
/// the CLI tests point agentcluster at, as a user would (AGENTCLUSTER_URL).
/// </summary>
public sealed partial class CliNodeFixture : IAsyncLifetime
{
    public NodeHost Node { get; private set; } = null!;

    public string Url => Node.Url;

    public async Task InitializeAsync() => Node = await NodeHost.StartAsync(new Dictionary<string, string>());

    public async Task DisposeAsync() => await Node.DisposeAsync();

    public Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(Url, args);

    public CliProcess Start(params string[] args) => CliProcess.Start(Url, args);

    /// <summary>A session made by <c>agentcluster run</c>, its first turn done.</summary>
    public async Task<string> IdleSessionAsync(string prompt = "echo ready")
    {
        var run = await RunAsync("run", prompt);
        Assert.True(run.ExitCode == 0, run.ToString());
        return SessionIdOf(run.Stdout);
    }

    /// <summary>The session <c>run</c> made: its first line is <c>· session &lt;id&gt;</c>.</summary>
    public static string SessionIdOf(string stdout) =>
        SessionLine().Match(stdout) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no session id in:\n{stdout}");

    /// <summary>The session as the API shows it.</summary>
    public async Task<JsonNode> SessionAsync(string id) => JsonNode.Parse(await Node.Http.GetStringAsync($"/sessions/{id}"))!;

    [GeneratedRegex(@"\A· session (\S+)\n")]
    private static partial Regex SessionLine();
}

[CollectionDefinition(Name)]
public sealed class CliNodeCollection : ICollectionFixture<CliNodeFixture>
{
    public const string Name = "cli-node";
}

using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Client;

/// <summary>
/// docs/client.md's example, compiled and run here: the block between the markers below is the page's C# block,
/// character for character (the first test checks), so the page cannot drift from code that works.
/// </summary>
[Collection(ClientNodeCollection.Name)]
public sealed partial class ClientDocsTests(ClientNodeFixture node)
{
    [Fact]
    public void The_pages_example_is_the_code_run_below()
    {
        var page = RepositoryFiles.Read("docs/client.md");
        var source = RepositoryFiles.Read("tests/AgentCluster.Tests/Client/ClientDocsTests.cs");

        var documented = CSharpBlock().Match(page).Groups["code"].Value;
        var run = Region().Match(source).Groups["code"].Value;

        Assert.NotEmpty(documented);
        Assert.Equal(Unindent(run), documented);
    }

    [Fact]
    public async Task The_pages_example_creates_a_session_and_reads_its_turn_through_the_registered_client()
    {
        var url = new Uri(node.Node.Url);
        var apiKey = node.ApiKey;
        var output = new StringWriter();
        var Console = output; // what the example prints, kept to be checked

        // docs/client.md: begin
        var services = new ServiceCollection();
        services.AddAgentClusterClient(options =>
        {
            options.BaseAddress = url;   // e.g. http://127.0.0.1:8080
            options.ApiKey = apiKey;     // null on a loopback node without keys
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<AgentClusterClient>();

        var session = await client.CreateSessionAsync(new CreateSessionRequest { Prompt = "echo hello from the client" });
        await foreach (var e in client.StreamEventsAsync(session.SessionId))
        {
            Console.WriteLine($"{e.Seq} {e.Type} {e.Payload}");
            if (e.Type == EventTypes.TurnCompleted) break; // the turn is done; the session waits for the next message
        }
        await client.DeleteSessionAsync(session.SessionId);
        // docs/client.md: end

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains(" agent.output ") && l.Contains("hello from the client"));
        Assert.Contains(" turn.completed ", lines[^1]);
        Assert.Equal(SessionStatus.Terminated, (await node.Client.GetSessionAsync(session.SessionId)).Status);
    }

    private static string Unindent(string code) =>
        string.Join('\n', code.Split('\n').Select(line => line.Length >= 8 ? line[8..] : line.TrimStart()));

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"// docs/client\.md: begin\n(?<code>.*?)        // docs/client\.md: end", RegexOptions.Singleline)]
    private static partial Regex Region();
}

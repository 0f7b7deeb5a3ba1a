using AgentCluster.Abstractions.Agents;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Runtimes.ClaudeCode;
using AgentCluster.Tests.Fakes;

namespace AgentCluster.Tests.Runtimes;

/// <summary>
/// The real Claude Code CLI (tools/claude-code, installed by its install.sh) run through <see cref="ClaudeCodeRuntime"/>
/// in a temporary workspace against a <see cref="FakeAnthropic"/>. Each turn gets a new runtime, as a restarted
/// agent process would: whatever continues the conversation must be in the workspace.
/// </summary>
internal sealed class ClaudeCodeCli : IAsyncDisposable
{
    public static readonly TimeSpan TurnDeadline = TimeSpan.FromSeconds(60);

    private readonly string root;

    private ClaudeCodeCli(FakeAnthropic fake, string root)
    {
        Fake = fake;
        this.root = root;
        Workspace = Directory.CreateDirectory(Path.Combine(root, "workspace")).FullName;
    }

    public FakeAnthropic Fake { get; }
    public string Workspace { get; }

    public AgentSettings Settings { get; set; } = new()
    {
        Model = "claude-test-model",
        SystemPrompt = "You are tested by AgentCluster.",
        AllowedTools = ["Bash"],
    };

    /// <summary>The runtime's credentials; by default the fake's key and address.</summary>
    public Dictionary<string, string> Credentials { get; } = [];

    public static async Task<ClaudeCodeCli> StartAsync()
    {
        var fake = await FakeAnthropic.StartAsync();
        var cli = new ClaudeCodeCli(fake, Directory.CreateTempSubdirectory("claude-code-").FullName);
        cli.Credentials["ANTHROPIC_API_KEY"] = fake.ApiKey;
        cli.Credentials["ANTHROPIC_BASE_URL"] = fake.Url.ToString().TrimEnd('/');
        // The CLI's Bash tool runs login shells: an empty home keeps this machine's profile (pyenv's rehash, with its
        // lock shared by every shell on the machine) out of them.
        cli.Credentials["HOME"] = Directory.CreateDirectory(Path.Combine(cli.root, "home")).FullName;
        return cli;
    }

    /// <summary>tools/claude-code/node_modules/.bin/claude; fails (not skips) the test when it is not installed.</summary>
    public static string Executable
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "tools", "claude-code", "package.json")))
                directory = directory.Parent;
            Assert.True(directory is not null, "tools/claude-code not found above " + AppContext.BaseDirectory);
            var claude = Path.Combine(directory.FullName, "tools", "claude-code", "node_modules", ".bin", "claude");
            Assert.True(File.Exists(claude), $"The Claude Code CLI is not installed ({claude}): run tools/claude-code/install.sh");
            return claude;
        }
    }

    public ClaudeCodeRuntime Runtime(TimeProvider? time = null) =>
        new(new RuntimeContext(Workspace, Settings, Credentials), time ?? TimeProvider.System, Executable);

    /// <param name="time">The runtime's clock; a FakeTimeProvider that never advances makes the interrupt grace endless.</param>
    /// <param name="events">Where the turn's events go, for a test that watches them while the turn runs; by default new ones.</param>
    public Task<(TurnOutcome Outcome, TestRuntimeEvents Events)> RunAsync(
        int turn, string prompt, CancellationToken cancellationToken = default, TimeProvider? time = null, TestRuntimeEvents? events = null) =>
        RunAsync(Runtime(time), turn, prompt, cancellationToken, events);

    /// <summary>A turn of another runtime on this workspace, fake and credentials (the anthropic runtime, say).</summary>
    public async Task<(TurnOutcome Outcome, TestRuntimeEvents Events)> RunAsync(
        IAgentRuntime runtime, int turn, string prompt, CancellationToken cancellationToken = default, TestRuntimeEvents? events = null)
    {
        events ??= new TestRuntimeEvents();
        // Interrupted at the deadline rather than abandoned: a CLI left running would outlive the test.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TurnDeadline);
        // The outer bound only for a clock that never moves (the interrupt grace then never ends either).
        var outcome = await runtime.RunTurnAsync(new AgentTurn(turn, prompt), events, deadline.Token).WaitAsync(2 * TurnDeadline);
        Assert.False(deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested,
            $"turn {turn} did not end within {TurnDeadline.TotalSeconds:0} s; events: {string.Join(", ", events.All)}");
        return (outcome, events);
    }

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A tool's leftover file still open; the temp folder is cleaned up later.
        }
    }
}

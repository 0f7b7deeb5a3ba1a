using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Agent.Runtimes;
using AgentCluster.Agent.Runtimes.Anthropic;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Presets;
using AgentCluster.Tests.Runtimes;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Tests.Examples;

/// <summary>
/// The coding-agent example of docs/agents.md (the primes session, its follow-up, an interrupt) run by each model runtime with
/// the settings a session gets without a preset and with each shipped preset (resolved from presets/*.yaml by the
/// node's own resolver), the model played by <see cref="PrimesModel"/>: the real Claude Code CLI, or the built-in
/// anthropic runtime. It asserts what the user sees: the files in the workspace, the programs' output in the tool
/// results, the final text, and for a preset that refuses, the refusals as error results and denied_tools.
/// </summary>
public sealed class ReadmeExampleTests : IAsyncLifetime
{
    /// <summary>What a session may do in the example: all of it, or read only (the writes and runs refused).</summary>
    private static readonly Dictionary<string, bool> Writes = new()
    {
        [""] = true,
        ["code-assistant"] = true,
        ["code-reviewer"] = false,
    };

    private ClaudeCodeCli workspace = null!;

    public async Task InitializeAsync() => workspace = await ClaudeCodeCli.StartAsync();

    public async Task DisposeAsync() => await workspace.DisposeAsync();

    /// <summary>Each model runtime with no preset ("") and with each shipped preset that runs a model.</summary>
    public static TheoryData<string, string> Sessions()
    {
        var data = new TheoryData<string, string>();
        foreach (var runtime in new[] { AgentRuntimes.ClaudeCode, AgentRuntimes.Anthropic })
        {
            data.Add(runtime, "");
            foreach (var preset in ShippedPresets().All.Where(p => p.Runtime != AgentRuntimes.Shell)) data.Add(runtime, preset.Id);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public async Task The_primes_example_its_follow_up_and_an_interrupt_do_what_README_shows(string runtime, string preset)
    {
        Assert.True(Writes.TryGetValue(preset, out var writes), $"preset '{preset}' is shipped: say here what README's example does with it");
        workspace.Settings = SettingsOf(preset);
        var model = new PrimesModel(workspace.Fake);
        var primes = Path.Combine(workspace.Workspace, "primes.py");

        model.ExpectPrompt();
        var (first, events) = await RunAsync(runtime, 1, PrimesModel.Prompt);

        Assert.Equal(TurnOutcomes.Success, first.Outcome);
        var results = events.All.OfType<ToolResultEvent>().ToList();
        Assert.Equal(3, results.Count);
        if (writes)
        {
            Assert.Equal(PrimesModel.Script, await File.ReadAllTextAsync(primes));
            Assert.All(results, result => Assert.False(result.IsError, result.Content));
            Assert.EndsWith(PrimesModel.PrimesBelow50, results[1].Content.TrimEnd());
            Assert.EndsWith("15", results[2].Content.TrimEnd());
            Assert.Equal($"The script prints: {PrimesModel.PrimesBelow50}. That is 15 primes.", events.Output(OutputStreams.Text)[^1]);
            Assert.Null(first.DeniedTools);
        }
        else
        {
            Assert.False(File.Exists(primes));
            Assert.All(results, result => Assert.True(result.IsError, result.Content));
            Assert.StartsWith("I could not run primes.py: ", events.Output(OutputStreams.Text)[^1]);
            Assert.Equal(3, first.DeniedTools);
            Assert.Contains("\"denied_tools\":3", first.ToPayload());
        }

        model.ExpectFollowUp();
        var (second, followUp) = await RunAsync(runtime, 2, PrimesModel.FollowUp);

        Assert.Equal(TurnOutcomes.Success, second.Outcome);
        var run = followUp.All.OfType<ToolResultEvent>().Last();
        if (writes)
        {
            Assert.Contains("sys.argv", await File.ReadAllTextAsync(primes));
            Assert.False(run.IsError, run.Content);
            Assert.EndsWith(PrimesModel.PrimesBelow20, run.Content.TrimEnd());
            Assert.Equal($"primes.py now takes the limit: `python3 primes.py 20` prints {PrimesModel.PrimesBelow20}.", followUp.Output(OutputStreams.Text)[^1]);
            Assert.Null(second.DeniedTools);
        }
        else
        {
            Assert.False(File.Exists(primes));
            Assert.True(run.IsError);
            Assert.StartsWith("I could not change primes.py: ", followUp.Output(OutputStreams.Text)[^1]);
            Assert.Equal(2, second.DeniedTools); // the edit and the run; reading a file that is not there is no refusal
        }
        Assert.Contains(PrimesModel.Prompt, workspace.Fake.Conversation[^1].MessagesText); // the same conversation

        model.ExpectSlow();
        using var interrupt = new CancellationTokenSource();
        var slow = RunAsync(runtime, 3, PrimesModel.Slow, interrupt.Token);
        await model.Held.Holding.WaitAsync(ClaudeCodeCli.TurnDeadline);
        await interrupt.CancelAsync();
        Assert.Equal(TurnOutcomes.Interrupted, (await slow).Outcome.Outcome);
    }

    private Task<(TurnOutcome Outcome, TestRuntimeEvents Events)> RunAsync(string runtime, int turn, string prompt, CancellationToken cancellationToken = default) =>
        runtime == AgentRuntimes.Anthropic
            ? workspace.RunAsync(new AnthropicRuntime(new RuntimeContext(workspace.Workspace, workspace.Settings, workspace.Credentials)), turn, prompt, cancellationToken)
            : workspace.RunAsync(turn, prompt, cancellationToken);

    /// <summary>The settings a session of README's example gets from the node: its preset's, or none.</summary>
    private static AgentSettings SettingsOf(string preset)
    {
        var resolver = new PresetResolver(ShippedPresets(), Options.Create(new TierOptions()), Options.Create(new AgentSessionOptions()));
        var start = resolver.Resolve(new CreateSessionRequest { Prompt = PrimesModel.Prompt, Preset = preset.Length > 0 ? preset : null }, owner: null);
        return start.Agent ?? new AgentSettings();
    }

    /// <summary>presets/*.yaml, which the build copies beside the tests as beside the node.</summary>
    private static PresetCatalog ShippedPresets() =>
        PresetCatalog.Load(PresetOptions.DefaultDirectory, mustExist: true, new TierOptions(), new AgentSessionOptions());
}

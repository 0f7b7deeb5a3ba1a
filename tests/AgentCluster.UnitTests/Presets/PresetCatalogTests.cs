using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Presets;
using AgentCluster.Abstractions.Presets;

namespace AgentCluster.UnitTests.Presets;

/// <summary>
/// The repository's presets load as written; a preset that is wrong in any way is refused, and the refusal
/// names the file and the field so that the operator can fix it without guessing.
/// </summary>
public sealed class PresetCatalogTests : IDisposable
{
    private readonly PresetFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_repositorys_presets_load_beside_the_node_as_written()
    {
        // The node's build copies presets/ beside its binary, and so into this test's output.
        var catalog = PresetCatalog.Load(PresetOptions.DefaultDirectory, mustExist: true, new TierOptions(), new AgentSessionOptions());

        Assert.Empty(catalog.Problems);
        Assert.Equal(["code-assistant", "code-reviewer", "shell"], catalog.Ids);

        var reviewer = catalog.Find("code-reviewer")!;
        Assert.Equal(("claude-code", "plan", "small"), (reviewer.Runtime, reviewer.PermissionMode, reviewer.Tier));
        Assert.DoesNotContain(reviewer.AllowedTools!, tool => tool is "Edit" or "Write" or "Bash");
        Assert.Contains("Edit", reviewer.DisallowedTools!);

        var assistant = catalog.Find("code-assistant")!;
        Assert.Equal(("claude-code", "acceptEdits", 50, TimeSpan.FromMinutes(15)), (assistant.Runtime, assistant.PermissionMode, assistant.MaxTurns, assistant.IdleTimeout));
        Assert.Equal("shell", catalog.Find("shell")!.Runtime);
        Assert.Null(catalog.Find("Shell"));
    }

    [Fact]
    public void Every_field_is_read_with_its_type()
    {
        folder.Write("full.yaml", """
            id: full
            name: Full
            description: Every field
            runtime: anthropic
            model: claude-opus-4-1
            system_prompt: |
              Be brief.
            allowed_tools: [Read, "Bash(git:*)"]
            disallowed_tools:
              - Write
            permission_mode: default
            max_turns: 7
            guest: {cpu_kind: performance, cpus: 1, memory_mb: 4096}
            region: ams
            image: registry.fly.io/agents:v2
            env: {LOG_LEVEL: debug, RETRIES: 3}
            idle_timeout: "00:20:00"
            """);
        var preset = Assert.Single(Loaded().All);

        Assert.Equal(new Preset
        {
            Id = "full", Name = "Full", Description = "Every field", Runtime = "anthropic", Model = "claude-opus-4-1",
            SystemPrompt = "Be brief.\n", AllowedTools = preset.AllowedTools, DisallowedTools = preset.DisallowedTools,
            PermissionMode = "default", MaxTurns = 7, Guest = new GuestSpec { CpuKind = "performance", Cpus = 1, MemoryMb = 4096 },
            Region = "ams", Image = "registry.fly.io/agents:v2", Env = preset.Env, IdleTimeout = TimeSpan.FromMinutes(20),
        }, preset);
        Assert.Equal(["Read", "Bash(git:*)"], preset.AllowedTools!);
        Assert.Equal(["Write"], preset.DisallowedTools!);
        Assert.Equal(new Dictionary<string, string> { ["LOG_LEVEL"] = "debug", ["RETRIES"] = "3" }, preset.Env);
    }

    [Theory]
    [InlineData("15m", 15 * 60)]
    [InlineData("1h30m", 90 * 60)]
    [InlineData("90s", 90)]
    [InlineData("00:15:00", 15 * 60)]
    [InlineData("1.02:00:00", 26 * 3600)]
    public void Idle_timeouts_are_Go_durations_or_dotnet_time_spans(string written, int seconds)
    {
        folder.Write("idle.yaml", $"id: idle\nruntime: shell\nidle_timeout: \"{written}\"\n");
        Assert.Equal(TimeSpan.FromSeconds(seconds), Assert.Single(Loaded().All).IdleTimeout);
    }

    [Theory]
    [InlineData("modle: claude-sonnet-4-5", "'modle' is not a preset field")]
    [InlineData("max_turns: lots", "max_turns must be a whole number (line 2: got 'lots')")]
    [InlineData("max_turns: \"5\"", "max_turns must be a whole number")]
    [InlineData("max_turns: 0", "max_turns must be at least 1 (got 0)")]
    [InlineData("max_turns: [1]", "max_turns must be a whole number")]
    [InlineData("allowed_tools: Read", "allowed_tools must be a list of text")]
    [InlineData("allowed_tools: [Read, [Write]]", "allowed_tools[1] must be text")]
    [InlineData("allowed_tools: [Read, \"\"]", "allowed_tools[1] must be a tool name")]
    [InlineData("model: {name: x}", "model must be text")]
    [InlineData("model: claude sonnet", "model must be 1-200 letters")]
    [InlineData("runtime: python", "runtime 'python' is not one of: shell, claude-code, anthropic")]
    [InlineData("permission_mode: yolo", "permission_mode 'yolo' is not one of: default, acceptEdits, plan, bypassPermissions")]
    [InlineData("tier: huge", "tier 'huge' does not exist; the tiers are: large, medium, small")]
    [InlineData("tier: small\nguest: {cpus: 1}", "set tier or guest, not both")]
    [InlineData("guest: {cpu_kind: shared, cpus: 2, memory_mb: 100}", "guest.memory_mb must be between 512 and 4096 MB")]
    [InlineData("guest: {cpu_kind: performance, cpus: 3}", "guest.cpus must be one of 1, 2, 4, 6, 8, 10, 12, 14, 16")]
    [InlineData("guest: {cpu_count: 2}", "'cpu_count' is not a guest field")]
    [InlineData("guest: {cpus: two}", "guest.cpus must be a whole number")]
    [InlineData("guest: small", "guest must be a mapping")]
    [InlineData("region: mars", "region 'mars' is not a Fly region")]
    [InlineData("image: \"\"", "image '' is not an image reference")]
    [InlineData("env: {FLY_APP_NAME: x}", "'FLY_APP_NAME' is reserved")]
    [InlineData("env: {1BAD: x}", "'1BAD' is not an environment variable name")]
    [InlineData("env: [A, B]", "env must be a mapping of names to text")]
    [InlineData("idle_timeout: soon", "idle_timeout must be a duration such as 15m")]
    [InlineData("idle_timeout: 0s", "idle_timeout must be positive")]
    [InlineData("system_prompt: \"   \"", "system_prompt must not be blank")]
    [InlineData("runtime: shell\nruntime: claude-code", "Duplicate key")]
    [InlineData("runtime: [shell", "the file is not valid YAML")]
    public void A_wrong_field_is_refused_naming_the_file_and_the_field(string line, string expected)
    {
        var file = folder.Write("broken.yaml", "id: broken\n" + line + "\n");
        var problem = Assert.Single(Loaded().Problems);
        Assert.StartsWith($"Preset file '{file}': ", problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void Every_problem_of_every_file_is_listed_and_no_broken_preset_is_kept()
    {
        var first = folder.Write("first.yaml", "id: first\nruntime: python\nmax_turns: -1\nregion: xyz\n");
        var second = folder.Write("second.yaml", "id: second\nruntime: shell\ntier: gigantic\n");
        folder.Write("fine.yaml", "id: fine\nruntime: shell\n");
        folder.Write("notes.txt", "not a preset: ignored");

        var catalog = Loaded();

        Assert.Equal(["fine"], catalog.Ids);
        Assert.Equal(4, catalog.Problems.Count);
        Assert.Contains(catalog.Problems, p => p.Contains(first) && p.Contains("runtime 'python'"));
        Assert.Contains(catalog.Problems, p => p.Contains(first) && p.Contains("max_turns must be at least 1"));
        Assert.Contains(catalog.Problems, p => p.Contains(first) && p.Contains("region 'xyz'"));
        Assert.Contains(catalog.Problems, p => p.Contains(second) && p.Contains("tier 'gigantic'"));
    }

    [Theory]
    [InlineData("other.yaml", "id: code\nruntime: shell\n", "id 'code' must match the file's name: 'other'")]
    [InlineData("Upper.yaml", "id: Upper\nruntime: shell\n", "id 'Upper' must be 1-64 lower-case letters")]
    [InlineData("noid.yaml", "runtime: shell\n", "id is required")]
    [InlineData("list.yaml", "- id: list\n", "the file must hold one YAML mapping")]
    [InlineData("empty.yaml", "", "the file must hold one YAML mapping")]
    public void The_id_is_required_and_is_the_files_name(string fileName, string yaml, string expected)
    {
        var file = folder.Write(fileName, yaml);
        var problem = Assert.Single(Loaded().Problems);
        Assert.StartsWith($"Preset file '{file}'", problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void An_id_defined_twice_is_refused()
    {
        folder.Write("twin.yaml", "id: twin\nruntime: shell\n");
        folder.Write("twin.yml", "id: twin\nruntime: shell\n");
        var problem = Assert.Single(Loaded().Problems);
        Assert.Contains("define id 'twin' 2 times", problem);
    }

    [Fact]
    public void A_configured_folder_must_exist_the_default_one_may_not()
    {
        var missing = Path.Combine(folder.Path, "missing");
        Assert.Contains($"Presets:Directory '{missing}' does not exist",
            Assert.Single(PresetCatalog.Load(missing, mustExist: true, new TierOptions(), new AgentSessionOptions()).Problems));
        var none = PresetCatalog.Load(missing, mustExist: false, new TierOptions(), new AgentSessionOptions());
        Assert.Empty(none.Problems);
        Assert.Empty(none.All);
    }

    [Fact]
    public void Configured_tiers_and_runtimes_are_the_ones_presets_are_checked_against()
    {
        folder.Write("gpu.yaml", "id: gpu\nruntime: custom\ntier: xl\n");
        var tiers = new TierOptions();
        tiers.Tiers["xl"] = new TierSize { CpuKind = "performance", Cpus = 8, MemoryMb = 16384 };
        var sessions = new AgentSessionOptions { Runtimes = ["custom"] };

        var catalog = PresetCatalog.Load(folder.Path, mustExist: true, tiers, sessions);

        Assert.Empty(catalog.Problems);
        Assert.Equal("xl", catalog.Find("gpu")!.Tier);
    }

    private PresetCatalog Loaded() => folder.Load();
}

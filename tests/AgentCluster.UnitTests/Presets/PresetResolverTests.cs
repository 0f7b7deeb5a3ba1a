using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Api;
using AgentCluster.Silo.Options;
using AgentCluster.Silo.Presets;
using Microsoft.Extensions.Options;
using AgentCluster.Silo.Sessions;
using AgentCluster.Abstractions.Presets;

namespace AgentCluster.UnitTests.Presets;

/// <summary>
/// A request and its preset become one StartSession: the preset first, the request over it where it may be
/// (model, an added system prompt, fewer turns, region, size, env), and refused where it may not (the
/// runtime, the tools, the permission mode).
/// </summary>
public sealed class PresetResolverTests : IDisposable
{
    private const string Secret = "sk-ant-never-shown-0123456789";
    private readonly PresetFolder folder = new();
    private readonly PresetResolver resolver;

    public PresetResolverTests()
    {
        folder.Write("reviewer.yaml", """
            id: reviewer
            runtime: claude-code
            model: claude-sonnet-4-5
            system_prompt: Review only.
            allowed_tools: [Read, Grep]
            disallowed_tools: [Write]
            permission_mode: plan
            max_turns: 20
            tier: small
            region: ams
            image: registry.fly.io/reviewer:1
            env: {LOG_LEVEL: info, MODE: review}
            idle_timeout: 15m
            max_model_usd: 2.5
            """);
        folder.Write("bare.yaml", "id: bare\n");
        folder.Write("timed.yaml", "id: timed\nmax_turn_seconds: 600\n");
        var catalog = folder.Load();
        Assert.Empty(catalog.Problems);
        resolver = new PresetResolver(catalog, Options.Create(new TierOptions()), Options.Create(new AgentSessionOptions()));
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_presets_turn_limit_is_its_sessions_a_request_may_lower_it_not_raise_it_and_the_mode_is_the_requests()
    {
        Assert.Equal(600, resolver.Resolve(new CreateSessionRequest { Prompt = "x", Preset = "timed" }, null).MaxTurnSeconds);
        var lowered = resolver.Resolve(new CreateSessionRequest { Prompt = "x", Preset = "timed", MaxTurnSeconds = 60, Mode = SessionModes.Task }, null);
        Assert.Equal((60L, SessionModes.Task), (lowered.MaxTurnSeconds, lowered.Mode));
        var raised = Assert.Throws<SessionException>(() => resolver.Resolve(new CreateSessionRequest { Prompt = "x", Preset = "timed", MaxTurnSeconds = 601 }, null));
        Assert.Equal("max_turn_seconds", raised.Field);
        Assert.Contains(PresetRules.Problems(new Preset { Id = "x", MaxTurnSeconds = 0 }, new TierOptions(), new AgentSessionOptions()), p => p.Field == "max_turn_seconds");
    }

    [Fact]
    public void A_preset_alone_gives_every_one_of_its_fields()
    {
        var start = resolver.Resolve(new CreateSessionRequest { Prompt = "review", Preset = "reviewer", Metadata = new() { ["team"] = "a" } }, "team-a");

        Assert.Equal(("review", "claude-code", "ams", "reviewer", "team-a", "registry.fly.io/reviewer:1", TimeSpan.FromMinutes(15)),
            (start.Prompt, start.Runtime, start.Region, start.Preset, start.Owner, start.Image, start.IdleTimeout));
        Assert.Equal(new GuestSpec { CpuKind = "shared", Cpus = 1, MemoryMb = 512 }, start.Guest);
        Assert.Equal(new Dictionary<string, string> { ["LOG_LEVEL"] = "info", ["MODE"] = "review" }, start.Env);
        Assert.Equal("a", start.Metadata!["team"]);
        var agent = start.Agent!;
        Assert.Equal(("claude-sonnet-4-5", "Review only.", "plan", 20), (agent.Model, agent.SystemPrompt, agent.PermissionMode, agent.MaxTurns));
        Assert.Equal(["Read", "Grep"], agent.AllowedTools!);
        Assert.Equal(["Write"], agent.DisallowedTools!);
        Assert.Null(start.ApiKey);
        Assert.Equal(2.5m, start.MaxModelUsd);
    }

    [Fact]
    public void A_request_overrides_what_it_may_and_adds_to_the_system_prompt()
    {
        var start = resolver.Resolve(new CreateSessionRequest
        {
            Prompt = "review",
            Preset = "reviewer",
            Runtime = "claude-code", // the same runtime is no change
            Model = "claude-opus-4-1",
            SystemPrompt = "Focus on the API.",
            MaxTurns = 5,
            Region = "syd",
            Tier = "large",
            Env = new() { ["MODE"] = "strict", ["EXTRA"] = "1" },
        }, null);

        Assert.Equal(("claude-code", "syd"), (start.Runtime, start.Region));
        Assert.Equal(("claude-opus-4-1", "Review only.\n\nFocus on the API.", 5), (start.Agent!.Model, start.Agent.SystemPrompt, start.Agent.MaxTurns));
        Assert.Equal(new GuestSpec { CpuKind = "performance", Cpus = 2, MemoryMb = 4096 }, start.Guest);
        Assert.Equal(new Dictionary<string, string> { ["LOG_LEVEL"] = "info", ["MODE"] = "strict", ["EXTRA"] = "1" }, start.Env);
        Assert.Equal("plan", start.Agent.PermissionMode); // still the preset's

        var sized = resolver.Resolve(new CreateSessionRequest { Prompt = "x", Preset = "reviewer", Guest = new GuestSpec { CpuKind = "performance" } }, null);
        Assert.Equal(new GuestSpec { CpuKind = "performance", Cpus = 1, MemoryMb = 2048 }, sized.Guest);
    }

    /// <summary>A request may not loosen its preset's posture.</summary>
    public static TheoryData<string, CreateSessionRequest, string> Loosenings => new()
    {
        { "runtime", Reviewer with { Runtime = "shell" }, "preset 'reviewer' runs 'claude-code'; a request may not change its runtime (asked for 'shell')" },
        { "allowed_tools", Reviewer with { AllowedTools = ["Bash"] }, "allowed_tools comes from preset 'reviewer'" },
        { "disallowed_tools", Reviewer with { DisallowedTools = [] }, "disallowed_tools comes from preset 'reviewer'" },
        { "permission_mode", Reviewer with { PermissionMode = "bypassPermissions" }, "permission_mode comes from preset 'reviewer'" },
        { "max_turns", Reviewer with { MaxTurns = 21 }, "max_turns may be at most 20, preset 'reviewer''s limit (asked for 21)" },
        { "max_model_usd", Reviewer with { MaxModelUsd = 3m }, "max_model_usd may be at most 2.5, preset 'reviewer''s budget (asked for 3)" },
    };

    [Fact]
    public void Without_a_preset_the_request_sets_everything_and_the_node_the_rest()
    {
        var start = resolver.Resolve(new CreateSessionRequest
        {
            Prompt = "x",
            AllowedTools = ["Bash"],
            PermissionMode = "bypassPermissions",
            MaxTurns = 500,
            SystemPrompt = "Hello.",
            Guest = new GuestSpec { Cpus = 2 },
            Workspace = new WorkspaceSpec { Name = "main", SizeGb = 5 },
            Repository = new RepositoryRequest("https://github.com/org/repo.git", "feature/x"),
        }, null);

        Assert.Null(start.Runtime); // the session picks: claude-code with a model key, else shell
        Assert.Null(start.Region);
        Assert.Null(start.Preset);
        Assert.Null(start.Image);
        Assert.Null(start.IdleTimeout);
        Assert.Equal(new GuestSpec { CpuKind = "shared", Cpus = 2, MemoryMb = 512 }, start.Guest);
        Assert.Equal(new WorkspaceSpec { Name = "main", SizeGb = 5 }, start.Workspace);
        Assert.Equal(("bypassPermissions", 500, "Hello."), (start.Agent!.PermissionMode, start.Agent.MaxTurns, start.Agent.SystemPrompt));
        Assert.Equal(new RepositorySpec { Url = "https://github.com/org/repo.git", Branch = "feature/x" }, start.Agent.Repository);

        var plain = resolver.Resolve(new CreateSessionRequest { Prompt = "x" }, null);
        Assert.Null(plain.Agent);
        Assert.Null(plain.Guest);
        Assert.Null(resolver.Resolve(new CreateSessionRequest { Prompt = "x", Preset = "bare" }, null).Agent);
    }

    public static TheoryData<string, CreateSessionRequest, string> BadFields => new()
    {
        { "preset", Plain with { Preset = "nope" }, "preset 'nope' does not exist; the presets are: bare, reviewer" },
        { "tier", Plain with { Tier = "huge" }, "tier 'huge' does not exist; the tiers are: large, medium, small" },
        { "tier", Plain with { Tier = "small", Guest = new GuestSpec { Cpus = 1 } }, "set tier or guest, not both" },
        { "guest.memory_mb", Plain with { Guest = new GuestSpec { CpuKind = "shared", Cpus = 2, MemoryMb = 1000 } },
            "guest.memory_mb must be between 512 and 4096 MB, a multiple of 256, for 2 shared CPUs (got 1000)" },
        { "guest.cpu_kind", Reviewer with { Guest = new GuestSpec { CpuKind = "gpu" } }, "guest.cpu_kind must be 'shared' or 'performance' (got 'gpu')" },
        { "permission_mode", Plain with { PermissionMode = "auto" }, "permission_mode 'auto' is not one of" },
        { "max_turns", Plain with { MaxTurns = 0 }, "max_turns must be at least 1 (got 0)" },
        { "model", Plain with { Model = "" }, "model must be 1-200 letters" },
        { "allowed_tools[0]", Plain with { AllowedTools = [" "] }, "allowed_tools[0] must be a tool name" },
        { "prompt", Reviewer with { Prompt = null }, "prompt is required" },
    };

    [Theory]
    [MemberData(nameof(Loosenings))]
    [MemberData(nameof(BadFields))]
    public void Loosenings_and_bad_fields_are_refused_naming_the_field(string field, CreateSessionRequest request, string message)
    {
        var refused = Refused(request);
        Assert.Equal(field, refused.Field);
        Assert.Contains(message, refused.Message);
    }

    [Theory]
    [InlineData("https://github.com/org/repo.git", true)]
    [InlineData("http://git.internal/repo", true)]
    [InlineData("ssh://git@github.com/org/repo.git", true)]
    [InlineData("git@github.com:org/repo.git", true)]
    [InlineData("file:///tmp/repos/project", true)]
    [InlineData("https://user:token@github.com/org/repo.git", false)]
    [InlineData("https://token@github.com/org/repo.git", false)]
    [InlineData("ftp://example.com/repo", false)]
    [InlineData("-oProxyCommand=touch /tmp/x", false)]
    [InlineData("--upload-pack=evil", false)]
    [InlineData("just-a-name", false)]
    [InlineData("/tmp/repo", false)]
    [InlineData("file:relative", false)]
    [InlineData("https://github.com/org/repo .git", false)]
    [InlineData("", false)]
    public void Repository_urls_are_ones_git_clones_without_secrets(string url, bool accepted)
    {
        var request = new CreateSessionRequest { Prompt = "x", Repository = new RepositoryRequest(url, null) };
        if (accepted) Assert.Equal(url, resolver.Resolve(request, null).Agent!.Repository!.Url);
        else
        {
            var refused = Refused(request);
            Assert.Equal("repository.url", refused.Field);
            if (url.Length > 0) Assert.DoesNotContain(url, refused.Message); // it may carry a secret: never quoted
        }
    }

    [Theory]
    [InlineData("main", true)]
    [InlineData("feature/new-thing", true)]
    [InlineData("release-1.2", true)]
    [InlineData("-delete", false)]
    [InlineData("a..b", false)]
    [InlineData("a b", false)]
    [InlineData("topic.lock", false)]
    [InlineData("topic/", false)]
    [InlineData("a/.hidden", false)]
    [InlineData("ref@{1}", false)]
    [InlineData("x~1", false)]
    [InlineData("", false)]
    public void Branches_are_safe_ref_names(string branch, bool accepted)
    {
        var request = new CreateSessionRequest { Prompt = "x", Repository = new RepositoryRequest("https://example.com/r.git", branch) };
        if (accepted) Assert.Equal(branch, resolver.Resolve(request, null).Agent!.Repository!.Branch);
        else Assert.Equal("repository.branch", Refused(request).Field);
    }

    [Fact]
    public void A_repository_needs_a_url() =>
        Assert.Equal("repository.url", Refused(new CreateSessionRequest { Prompt = "x", Repository = new RepositoryRequest(null, "main") }).Field);

    [Fact]
    public void The_api_key_becomes_a_secret_and_no_refusal_quotes_it()
    {
        var start = resolver.Resolve(new CreateSessionRequest { Prompt = "x", ApiKey = new SecretText(Secret) }, null);
        Assert.Equal(Secret, start.ApiKey!.Value);
        Assert.DoesNotContain(Secret, start.ToString());
        Assert.DoesNotContain(Secret, new CreateSessionRequest { Prompt = "x", ApiKey = new SecretText(Secret) }.ToString());

        foreach (var bad in new[] { "   ", new string('k', 1025), Secret + "\n", "sk ant" })
        {
            var refused = Refused(new CreateSessionRequest { Prompt = "x", ApiKey = new SecretText(bad) });
            Assert.Equal("api_key", refused.Field);
            if (bad.Trim().Length > 0) Assert.DoesNotContain(bad.Trim(), refused.Message);
        }
    }

    private static CreateSessionRequest Plain => new() { Prompt = "x" };
    private static CreateSessionRequest Reviewer => Plain with { Preset = "reviewer" };

    private SessionException Refused(CreateSessionRequest request)
    {
        var refused = Assert.Throws<SessionException>(() => resolver.Resolve(request, null));
        Assert.Equal(SessionErrorKind.Invalid, refused.Kind);
        return refused;
    }
}

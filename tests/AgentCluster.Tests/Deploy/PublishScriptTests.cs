using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Deploy;

/// <summary>
/// deploy/publish.sh, the one publish command of both Dockerfiles and of CI: each Dockerfile runs it and copies
/// what it published into its image, and the script publishes a runnable part for the Machines' platform.
/// </summary>
public sealed partial class PublishScriptTests
{
    private const string Rid = "linux-x64";
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData("deploy/Dockerfile.orchestrator", "orchestrator", "AgentCluster.Silo.dll")]
    [InlineData("deploy/Dockerfile.agent", "agent", "AgentCluster.Agent")]
    [InlineData("deploy/Dockerfile.agent", "emulator", "AgentCluster.FlyEmulator.dll")]
    public void Each_Dockerfile_publishes_with_the_script_and_starts_what_it_published(string dockerfile, string part, string entry)
    {
        var text = RepositoryFiles.Read(dockerfile);
        var run = Assert.Single(PublishRuns().Matches(text), m => m.Groups["part"].Value == part);
        var outDir = run.Groups["out"].Value;
        Assert.Matches($@"COPY --from=\S+ {Regex.Escape(outDir)} ", text);
        Assert.Contains(entry, EntryPoints().Matches(text).Select(m => m.Value).Aggregate("", string.Concat));
    }

    [Fact]
    public void The_script_publishes_the_Linux_x64_Dockerfiles_use()
    {
        var script = RepositoryFiles.Read("deploy/publish.sh");
        Assert.Matches($"(?m)^rid={Rid}$", script);
        Assert.Matches(@"-r ""\$rid""", script);
        // Fly's Machines run on x86-64; the images' base layers are pulled for that platform too.
        foreach (var dockerfile in new[] { "deploy/Dockerfile.orchestrator", "deploy/Dockerfile.agent" })
            Assert.DoesNotContain("--platform", RepositoryFiles.Read(dockerfile));
    }

    [Fact]
    public async Task The_orchestrator_is_published_with_its_presets_and_settings()
    {
        var output = await PublishAsync("orchestrator");
        try
        {
            AssertEntryAssembly(output, "AgentCluster.Silo");
            AssertImageCarriesFrameworks(output, "AgentCluster.Silo", "deploy/Dockerfile.orchestrator");
            Assert.True(File.Exists(Path.Combine(output, "appsettings.json")));
            var presets = Directory.GetFiles(RepositoryFiles.Path("presets"), "*.yaml").Select(Path.GetFileName).Order();
            Assert.Equal(presets, Directory.GetFiles(Path.Combine(output, "presets"), "*.yaml").Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task The_agent_is_published_as_the_JIT_build_its_anthropic_runtime_needs()
    {
        var output = await PublishAsync("agent");
        try
        {
            AssertEntryAssembly(output, "AgentCluster.Agent");
            // A Native AOT publish has one native file and no IL assembly or runtimeconfig; this one runs on the JIT.
            Assert.True(File.Exists(Path.Combine(output, "AgentCluster.Agent.runtimeconfig.json")));
            Assert.True(File.Exists(Path.Combine(output, "Anthropic.dll")));
            AssertImageCarriesFrameworks(output, "AgentCluster.Agent", "deploy/Dockerfile.agent");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>
    /// Every shared framework the published part asks for is in the image it runs in: the runtime image has
    /// Microsoft.NETCore.App only, the aspnet image Microsoft.AspNetCore.App as well.
    /// </summary>
    private static void AssertImageCarriesFrameworks(string output, string name, string dockerfile)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, name + ".runtimeconfig.json")))!["runtimeOptions"]!;
        var frameworks = (config["frameworks"]?.AsArray().Select(f => f!["name"]!.GetValue<string>()) ?? [config["framework"]!["name"]!.GetValue<string>()]).ToList();
        var finalImage = BaseImages().Matches(RepositoryFiles.Read(dockerfile)).Select(m => m.Groups["image"].Value)
            .Last(i => i.StartsWith("mcr.microsoft.com/dotnet/", StringComparison.Ordinal));
        var provided = finalImage.Contains("/aspnet:") ? new[] { "Microsoft.NETCore.App", "Microsoft.AspNetCore.App" }
            : finalImage.Contains("/runtime:") ? ["Microsoft.NETCore.App"]
            : [];
        Assert.All(frameworks, f => Assert.True(provided.Contains(f), $"{name} needs {f}, which {dockerfile}'s {finalImage} does not have"));
    }

    [GeneratedRegex(@"(?m)^FROM\s+(?<image>\S+)")]
    private static partial Regex BaseImages();

    /// <summary>The IL assembly, its native launcher (the image's entrypoint) and a deps file for the Machines' RID.</summary>
    private static void AssertEntryAssembly(string output, string name)
    {
        Assert.True(File.Exists(Path.Combine(output, name + ".dll")), $"{name}.dll in {output}");
        var launcher = Path.Combine(output, name);
        Assert.True(File.Exists(launcher), $"{name}, the {Rid} launcher");
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(launcher)[..4]);
        var deps = JsonNode.Parse(File.ReadAllText(Path.Combine(output, name + ".deps.json")))!;
        Assert.EndsWith("/" + Rid, deps["runtimeTarget"]!["name"]!.GetValue<string>());
    }

    private static async Task<string> PublishAsync(string part)
    {
        var output = Directory.CreateTempSubdirectory("publish-" + part + "-").FullName;
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { RepositoryFiles.Path("deploy/publish.sh"), part, output }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(PublishDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"deploy/publish.sh {part} took over {PublishDeadline.TotalMinutes} minutes");
        }
        Assert.True(process.ExitCode == 0, $"deploy/publish.sh {part} exited {process.ExitCode}: {await stdout}{await stderr}");
        return output;
    }

    [GeneratedRegex(@"RUN deploy/publish\.sh (?<part>\w+) (?<out>\S+)")]
    private static partial Regex PublishRuns();

    [GeneratedRegex(@"ENTRYPOINT \[.*\]")]
    private static partial Regex EntryPoints();
}

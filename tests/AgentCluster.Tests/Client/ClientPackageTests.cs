using AgentCluster.Client;

namespace AgentCluster.Tests.Client;

/// <summary>
/// The library as a package: AgentCluster.Client (and AgentCluster.Abstractions, which it depends on) packed with
/// <c>dotnet pack</c>, referenced by version from a throwaway console project outside the repository, which then
/// talks to the node with the key from its environment.
/// </summary>
[Collection(ClientNodeCollection.Name)]
public sealed class ClientPackageTests(ClientNodeFixture node) : IDisposable
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromMinutes(5);

    /// <summary>Unique per run: the NuGet cache never serves an older pack of the same version.</summary>
    private readonly string version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    private readonly string folder = Directory.CreateTempSubdirectory("agentcluster-client-package-").FullName;

    [Fact]
    public async Task A_console_project_referencing_the_packed_package_reaches_the_node()
    {
        var feed = Path.Combine(folder, "feed");
        var app = Path.Combine(folder, "app");
        Directory.CreateDirectory(app);
        // Packed from what the tests were built from (same configuration), not rebuilt.
        var configuration = AppContext.BaseDirectory.Contains("/Debug/") ? "Debug" : "Release";
        foreach (var project in new[] { "src/AgentCluster.Abstractions", "src/AgentCluster.Client" })
            await RunAsync(folder, "pack", RepositoryFiles.Path(project), "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}");
        Assert.True(File.Exists(Path.Combine(feed, $"AgentCluster.Client.{version}.nupkg")));

        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"),
            $"""<configuration><packageSources><add key="packed" value="{feed}" /></packageSources></configuration>""");
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup>
              <ItemGroup><PackageReference Include="AgentCluster.Client" Version="{version}" /></ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using AgentCluster.Client;
            var client = AgentClusterClient.Create(AgentClusterClient.OptionsFromEnvironment());
            Console.WriteLine($"presets: {(await client.ListPresetsAsync()).Presets.Count}");
            try { await client.GetSessionAsync("ses_none"); }
            catch (SessionNotFoundException e) { Console.WriteLine($"refused: {e.Status} {e.Title}"); }
            """);

        var output = await RunAsync(app, ["run"], new Dictionary<string, string>
        {
            [AgentClusterOptions.UrlVariable] = node.Node.Url,
            [AgentClusterOptions.ApiKeyVariable] = node.ApiKey,
        });

        var presets = (await node.Client.ListPresetsAsync()).Presets.Count;
        Assert.Contains($"presets: {presets}", output);
        Assert.Contains("refused: 404 Session not found", output);
    }

    private static Task<string> RunAsync(string directory, params string[] args) => RunAsync(directory, args, null);

    private static async Task<string> RunAsync(string directory, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        await using var process = ChildProcess.Start($"dotnet {args[0]}", "dotnet", args, env, directory);
        var exit = await process.WaitForExitAsync(CommandDeadline);
        Assert.True(exit == 0, $"dotnet {string.Join(' ', args)} exited with {exit}:\n{process.Log}");
        return process.Log;
    }

    public void Dispose()
    {
        Directory.Delete(folder, recursive: true);
        // The packs of this run, out of the machine's NuGet cache.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "agentcluster.client", "agentcluster.abstractions" })
        {
            var packed = Path.Combine(cache, id, version);
            if (Directory.Exists(packed)) Directory.Delete(packed, recursive: true);
        }
    }
}

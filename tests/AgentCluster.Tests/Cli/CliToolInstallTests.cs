using System.Diagnostics;
using System.Reflection;

namespace AgentCluster.Tests.Cli;

/// <summary>agentcluster as users install it: packed as a .NET tool and installed with <c>dotnet tool install</c>.</summary>
public sealed class CliToolInstallTests
{
    [Fact]
    public async Task The_packed_tool_installs_and_runs_as_agentcluster()
    {
        var work = Directory.CreateTempSubdirectory("agentcluster-tool-").FullName;
        try
        {
            var (feed, tools) = (Path.Combine(work, "feed"), Path.Combine(work, "tools"));
            // Packed from the build these tests run on (no second build), in its configuration.
            var configuration = typeof(CliToolInstallTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            await DotnetAsync("pack", RepositoryFiles.Path("src/AgentCluster.Cli/AgentCluster.Cli.csproj"), "-c", configuration, "--no-build", "-o", feed);
            await DotnetAsync("tool", "install", "AgentCluster.Cli", "--tool-path", tools, "--add-source", feed);

            var help = await RunAsync(Path.Combine(tools, "agentcluster"), "--help");

            Assert.True(help.ExitCode == 0, help.Output);
            Assert.Contains("agentcluster [command] [options]", help.Output);
            foreach (var command in new[] { "run", "send", "logs", "ls", "get", "rm", "interrupt", "restart", "exec", "cp", "presets", "workspaces" })
                Assert.Matches($@"\n  {command} ", help.Output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task DotnetAsync(params string[] args)
    {
        var (exitCode, output) = await RunAsync("dotnet", args);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', args)}:\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output + await errors);
    }
}

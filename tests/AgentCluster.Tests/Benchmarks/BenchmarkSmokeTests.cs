using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Benchmarks;

/// <summary>
/// The benchmark harness in smoke mode (tiny counts, a few seconds a scenario), so that it never rots: every
/// scenario runs to its end and reports numbers. Timings are not asserted here; they live in BENCHMARKS.md.
/// </summary>
[Collection(NodeClusterCollection.Name)]
public sealed class BenchmarkSmokeTests
{
    private static readonly string[] Scenarios = ["create", "heartbeats", "relay", "storage", "scale", "first-event", "reap", "first-text", "model-gateway", "burst", "exec", "sse-framing", "openai-first-chunk"];

    [Fact]
    public async Task Every_scenario_completes_and_reports_numbers()
    {
        var results = Path.Combine(Directory.CreateTempSubdirectory("agentcluster-bench-").FullName, "smoke.json");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "AgentCluster.Benchmarks.dll"), "all", "--smoke", "--out", results })
            info.ArgumentList.Add(arg);
        using var harness = Process.Start(info)!;
        var output = harness.StandardOutput.ReadToEndAsync();
        var errors = harness.StandardError.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(6)))
        {
            try { await harness.WaitForExitAsync(deadline.Token); }
            catch (OperationCanceledException) { harness.Kill(entireProcessTree: true); }
        }
        var log = await output + await errors;
        Assert.True(harness.ExitCode == 0, $"the harness exited with {harness.ExitCode}:\n{log}");

        var report = JsonNode.Parse(await File.ReadAllTextAsync(results))!;
        Assert.True(report["smoke"]!.GetValue<bool>());
        Assert.Empty(report["failures"]!.AsArray());
        var scenarios = report["scenarios"]!.AsArray();
        Assert.Equal(Scenarios, scenarios.Select(s => s!["scenario"]!.GetValue<string>()));
        foreach (var scenario in scenarios)
        {
            var metrics = scenario!["metrics"]!.AsArray();
            Assert.True(metrics.Count > 0, $"{scenario["scenario"]} reported no metric");
            Assert.All(metrics, m => Assert.True(double.IsFinite(m!["value"]!.GetValue<double>()), $"{scenario["scenario"]}: {m["name"]} is not a number"));
        }
    }
}

using System.Diagnostics;
using AgentCluster.Benchmarks.Baselines;
using AgentCluster.Benchmarks.Harness;

// dotnet run -c Release --project tests/AgentCluster.Benchmarks -- <scenario...|all> [--smoke] [--out results.json]
if (args.FirstOrDefault() == BaselineServer.Command)
{
    await BaselineServer.RunAsync(args[1..]);
    return 0;
}

var scenarios = typeof(IScenario).Assembly.GetTypes()
    .Where(t => t.IsClass && !t.IsAbstract && typeof(IScenario).IsAssignableFrom(t))
    .Select(t => (IScenario)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Number)
    .ToList();
var smoke = args.Contains("--smoke");
var outIndex = Array.IndexOf(args, "--out");
var output = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("artifacts", "benchmarks", smoke ? "smoke.json" : "results.json");
var names = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (outIndex < 0 || i != outIndex + 1)).ToList();
var selected = names.Count == 0 || names.Contains("all") ? scenarios : scenarios.Where(s => names.Contains(s.Name)).ToList();
if (names.Except(["all"]).Except(scenarios.Select(s => s.Name)).ToList() is { Count: > 0 } unknown)
{
    Console.Error.WriteLine($"Unknown scenario(s): {string.Join(", ", unknown)}. Known: all, {string.Join(", ", scenarios.Select(s => s.Name))}.");
    return 2;
}

var started = DateTimeOffset.UtcNow;
var reports = new List<ScenarioReport>();
var failures = new List<string>();
await using (var bench = new Bench(smoke))
{
    // Every scenario is bounded by its counts and durations; this only catches a hang.
    using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(smoke ? 5 : 30));
    foreach (var scenario in selected)
    {
        bench.Log($"== {scenario.Number}. {scenario.Name}: {scenario.Description}");
        var clock = Stopwatch.StartNew();
        try
        {
            reports.Add(await scenario.RunAsync(bench, limit.Token) with { Took = clock.Elapsed });
        }
        catch (Exception e)
        {
            failures.Add($"{scenario.Name}: {e}");
            bench.Log($"!! {scenario.Name} failed: {e}");
        }
    }
}

Console.WriteLine();
Console.WriteLine(Reports.Table(reports));
await Reports.WriteJsonAsync(output, smoke, started, reports, failures);
Console.WriteLine($"{reports.Count} scenario(s) completed, {failures.Count} failed; results in {Path.GetFullPath(output)}");
return failures.Count == 0 ? 0 : 1;

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentCluster.Benchmarks.Harness;

/// <summary>The run's results: a table on the console, and JSON (with the machine it ran on) for BENCHMARKS.md and CI.</summary>
public static class Reports
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Table(IReadOnlyList<ScenarioReport> reports)
    {
        var rows = new List<string[]> { new[] { "scenario", "metric", "value", "baseline", "ratio", "goal", "met" } };
        foreach (var report in reports)
            foreach (var m in report.Metrics)
                rows.Add(
                [
                    report.Scenario, m.Name, $"{Number(m.Value)} {m.Unit}",
                    m.BaselineValue is { } baseline ? $"{Number(baseline)} ({m.Baseline})" : "",
                    m.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "",
                    m.Goal ?? "", m.Met switch { true => "yes", false => "NO", null => "" },
                ]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            text.AppendLine("| " + string.Join(" | ", row.Select((cell, c) => cell.PadRight(widths[c]))) + " |");
            if (i == 0) text.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        }
        foreach (var report in reports.Where(r => r.Notes.Count > 0))
            foreach (var note in report.Notes) text.AppendLine($"- {report.Scenario}: {note}");
        return text.ToString();
    }

    public static async Task WriteJsonAsync(string path, bool smoke, DateTimeOffset started, IReadOnlyList<ScenarioReport> reports, IReadOnlyList<string> failures)
    {
        var document = new
        {
            Started = started,
            Smoke = smoke,
            Machine = new
            {
                Cores = Environment.ProcessorCount,
                MemoryGib = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
                Cpu = CpuModel(),
                Os = RuntimeInformation.OSDescription,
                Runtime = RuntimeInformation.FrameworkDescription,
            },
            Scenarios = reports.Select(r => new
            {
                r.Scenario,
                r.Description,
                TookSeconds = Math.Round(r.Took.TotalSeconds, 1),
                Metrics = r.Metrics.Select(m => new { m.Name, m.Value, m.Unit, m.Baseline, m.BaselineValue, m.Ratio, m.Goal, m.Met }),
                r.Notes,
            }),
            Failures = failures,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Json));
    }

    private static string Number(double value) =>
        Math.Abs(value) >= 100 ? value.ToString("#,0", CultureInfo.InvariantCulture)
        : value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

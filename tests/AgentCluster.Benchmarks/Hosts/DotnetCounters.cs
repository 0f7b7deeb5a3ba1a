using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AgentCluster.Benchmarks.Hosts;

/// <summary>
/// A .NET process's own view of its memory, through dotnet-counters (when it is installed: DOTNET_COUNTERS,
/// else /tmp/dtools/dotnet-counters, else on the PATH): RSS says what the OS gives the node, this says how much
/// of it is the managed heap.
/// </summary>
public static class DotnetCounters
{
    private const string HeapSize = "dotnet.gc.last_collection.heap.size";

    /// <summary>The managed heap as the last GC left it (all generations), in bytes; null when it cannot be read.</summary>
    public static async Task<long?> GcHeapBytesAsync(int pid, CancellationToken cancellationToken)
    {
        var tool = Environment.GetEnvironmentVariable("DOTNET_COUNTERS")
            ?? (File.Exists("/tmp/dtools/dotnet-counters") ? "/tmp/dtools/dotnet-counters" : "dotnet-counters");
        var output = Path.Combine(Path.GetTempPath(), $"bench-counters-{pid}-{Guid.NewGuid():N}.json");
        try
        {
            using (var process = Process.Start(new ProcessStartInfo(tool,
                       ["collect", "-p", pid.ToString(), "--counters", "System.Runtime", "--format", "json", "--duration", "00:00:03", "-o", output])
                   { RedirectStandardOutput = true, RedirectStandardError = true })!)
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(TimeSpan.FromSeconds(30));
                try
                {
                    await Task.WhenAll(process.StandardOutput.ReadToEndAsync(deadline.Token), process.StandardError.ReadToEndAsync(deadline.Token));
                    await process.WaitForExitAsync(deadline.Token);
                }
                finally
                {
                    if (!process.HasExited) process.Kill();
                }
            }
            if (!File.Exists(output)) return null;
            // The last reading of each generation's size.
            var events = JsonNode.Parse(await File.ReadAllTextAsync(output, cancellationToken))!["Events"]!.AsArray();
            var sizes = new Dictionary<string, long>();
            foreach (var e in events)
                if (e!["name"]!.GetValue<string>().StartsWith(HeapSize, StringComparison.Ordinal))
                    sizes[e["tags"]!.GetValue<string>()] = (long)e["value"]!.GetValue<double>();
            // Zero: no collection since the process started, nothing to say.
            return sizes.Values.Sum() is > 0 and var total ? total : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or IOException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            File.Delete(output);
        }
    }
}

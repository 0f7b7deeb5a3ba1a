using System.Diagnostics;
using AgentCluster.Benchmarks.Harness;

namespace AgentCluster.Benchmarks.Baselines;

/// <summary>
/// How long a program takes from being started to having exited, started the way the emulator starts an
/// agent (a clean environment, output redirected): the floor under anything that starts a process.
/// </summary>
public static class ProcessSpawn
{
    public static async Task<Latencies> MeasureAsync(
        string file, IReadOnlyList<string> args, int count, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var home = Directory.CreateTempSubdirectory("agentcluster-bench-home-").FullName;
        try
        {
            var samples = new List<double>(count);
            // One start not counted: the first one loads the program's files from disk.
            for (var i = 0; i <= count; i++)
            {
                var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = home };
                foreach (var arg in args) info.ArgumentList.Add(arg);
                info.Environment.Clear();
                info.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
                info.Environment["HOME"] = home;
                foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;

                var begin = Stopwatch.GetTimestamp();
                using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
                var drained = Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken));
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(TimeSpan.FromSeconds(30));
                try
                {
                    await process.WaitForExitAsync(deadline.Token);
                    await drained;
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw;
                }
                if (i > 0) samples.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
            }
            return new Latencies(samples);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}

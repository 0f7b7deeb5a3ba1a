using System.Diagnostics;
using AgentCluster.Agent.Runtimes.ClaudeCode;
using AgentCluster.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AgentCluster.Tests.Runtimes;

/// <summary>An interrupted CLI gets SIGINT, and its whole tree is killed only once the grace is over.</summary>
public sealed class ClaudeCodeGracefulStopTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_process_that_honours_sigint_stops_without_waiting_for_the_grace()
    {
        using var process = await StartAsync("echo ready; exec sleep 300");

        // The clock never moves: only the signal can end it.
        await GracefulStop.StopAsync(process, Grace, new FakeTimeProvider()).WaitAsync(Deadline);

        Assert.Equal(128 + 2, process.ExitCode);
    }

    [Fact]
    public async Task A_process_that_ignores_sigint_is_killed_with_its_children_when_the_grace_is_over()
    {
        using var process = await StartAsync("trap '' INT; sleep 300 & echo ready; wait");
        var child = Assert.Single(Processes.ChildrenOf(process.Id));
        var time = new FakeTimeProvider();

        var stopping = GracefulStop.StopAsync(process, Grace, time);
        time.Advance(Grace - TimeSpan.FromMilliseconds(1));
        Assert.False(stopping.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await stopping.WaitAsync(Deadline);

        Assert.Equal(128 + 9, process.ExitCode);
        await Eventually.TrueAsync(() => !Processes.Alive(child), Deadline, $"child {child} killed with its parent");
    }

    /// <summary>A bash script, returned once it printed "ready" (its traps and children are set up by then).</summary>
    private static async Task<Process> StartAsync(string script)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        var process = Process.Start(info)!;
        Assert.Equal("ready", await process.StandardOutput.ReadLineAsync().WaitAsync(Deadline));
        return process;
    }
}

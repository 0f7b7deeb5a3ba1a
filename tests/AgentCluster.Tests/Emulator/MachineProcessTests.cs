using AgentCluster.FlyEmulator.Processes;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Emulator;

/// <summary>The process layer under the emulator: exact environment, logs, exit shapes, group signalling.</summary>
public sealed class MachineProcessTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "mp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private ProcessLaunch Launch(string script, Dictionary<string, string>? env = null) =>
        new(["/bin/sh", "-c", script], env ?? new Dictionary<string, string> { ["ONLY"] = "this" }, Path.Combine(dir, "cwd"), Path.Combine(dir, "log", "machine.log"));

    [Fact]
    public async Task Exit_codes_and_output_are_captured()
    {
        await using var process = MachineProcess.Start(Launch("echo out; echo err >&2; exit 3"));
        Assert.Equal(new ProcessExit(3, null), await process.Exited.WaitAsync(TimeSpan.FromSeconds(10)));
        var log = await File.ReadAllTextAsync(Path.Combine(dir, "log", "machine.log"));
        Assert.Contains("out", log);
        Assert.Contains("err", log);
    }

    [Fact]
    public async Task The_environment_is_exactly_the_machines()
    {
        await using var process = MachineProcess.Start(Launch("env > env.txt"));
        await process.Exited.WaitAsync(TimeSpan.FromSeconds(10));
        var names = File.ReadAllLines(Path.Combine(dir, "cwd", "env.txt")).Select(l => l.Split('=')[0]).ToHashSet();
        Assert.Contains("ONLY", names);
        Assert.DoesNotContain("DOTNET_ROOT", names); // nothing of the emulator's own environment leaks in
    }

    [Fact]
    public async Task A_signal_death_reads_as_the_signal()
    {
        await using var process = MachineProcess.Start(Launch("kill -TERM $$; sleep 5"));
        Assert.Equal(new ProcessExit(128 + 15, 15), await process.Exited.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Stop_kills_after_the_grace_period_and_takes_the_whole_group()
    {
        await using var process = MachineProcess.Start(Launch("trap '' INT TERM; sleep 1000 & echo $! > child.pid; while :; do sleep 0.1; done"));
        var childFile = Path.Combine(dir, "cwd", "child.pid");
        await Eventually.TrueAsync(() => File.Exists(childFile) && File.ReadAllText(childFile).Trim().Length > 0, TimeSpan.FromSeconds(10), "the child started");
        var child = int.Parse(File.ReadAllText(childFile).Trim());

        var result = await process.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromMilliseconds(300), TimeProvider.System);
        Assert.True(result.Killed);
        Assert.Equal(9, result.Exit.Signal);
        await Eventually.TrueAsync(() => !Processes.Alive(child), TimeSpan.FromSeconds(10), "the grandchild died with the group");
    }

    [Fact]
    public void A_missing_command_cannot_launch()
    {
        var e = Assert.Throws<MachineLaunchException>(() => MachineProcess.Start(Launch("x") with { Argv = ["/no/such/binary"] }));
        Assert.Contains("/no/such/binary", e.Message);
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGUSR1", 10)]
    public void Signals_parse_by_name_or_number(string text, int expected)
    {
        Assert.True(PosixSignals.TryParse(text, out var signal));
        Assert.Equal(expected, signal);
    }

    [Theory]
    [InlineData("SIGNOPE")]
    [InlineData("99")]
    [InlineData("")]
    public void Unknown_signals_are_refused(string text) => Assert.False(PosixSignals.TryParse(text, out _));
}

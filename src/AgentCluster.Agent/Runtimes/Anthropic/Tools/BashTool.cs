using System.Diagnostics;
using System.Text;

namespace AgentCluster.Agent.Runtimes.Anthropic.Tools;

/// <summary>
/// Runs a command with <c>bash -lc</c> in the workspace (a login shell, so the image's profile applies, as in
/// the shell runtime): stdout and stderr together, capped, within a timeout. The whole process tree is killed
/// when the timeout passes or the turn is interrupted.
/// </summary>
internal sealed class BashTool(Workspace workspace) : IAgentTool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);
    public const int MaxOutputChars = 30_000;

    /// <summary>
    /// How long output is still read once bash has exited: a command it left in the background may hold the
    /// pipes open for as long as it runs, and the tool call must not wait for it.
    /// </summary>
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(1);

    public string Name => "Bash";

    public string Description =>
        "Runs a bash command (bash -lc) in the workspace and returns its combined stdout and stderr " +
        $"(at most {MaxOutputChars} characters) and, when not zero, its exit code. The default timeout is " +
        $"{DefaultTimeout.TotalMilliseconds:0} ms, the most {MaxTimeout.TotalMilliseconds:0} ms. Standard input is empty. " +
        "Prefer the Read, Write, Edit, Glob and Grep tools for files.";

    public string InputSchema => """
        {
          "type": "object",
          "properties": {
            "command": { "type": "string", "description": "The command to run" },
            "timeout": { "type": "integer", "description": "Timeout in milliseconds (max 600000)" }
          },
          "required": ["command"]
        }
        """;

    public async Task<ToolOutput> RunAsync(ToolInput input, CancellationToken cancellationToken)
    {
        var command = input.String("command");
        var timeout = Timeout(input.OptionalInt("timeout"));

        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workspace.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-lc");
        info.ArgumentList.Add(command);
        ChildEnvironment.Scrub(info.Environment);

        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        process.StandardInput.Close();
        var output = new CappedText(MaxOutputChars);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = Task.WhenAll(
            OutputLines.PumpAsync(process.StandardOutput.BaseStream, output.AppendLine, reading.Token),
            OutputLines.PumpAsync(process.StandardError.BaseStream, output.AppendLine, reading.Token));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await reading.CancelAsync();
            await Quietly(pumps);
            cancellationToken.ThrowIfCancellationRequested();
            return ToolOutput.Error($"{output}\nTimed out after {timeout.TotalMilliseconds:0} ms; the command was killed.".TrimStart());
        }

        await Quietly(pumps.WaitAsync(DrainAfterExit, cancellationToken));
        await reading.CancelAsync();
        await Quietly(pumps);
        var text = output.ToString();
        return process.ExitCode == 0
            ? new ToolOutput(text.Length > 0 ? text : "(no output)")
            : ToolOutput.Error($"{text}\nExit code {process.ExitCode}".TrimStart());
    }

    private static TimeSpan Timeout(int? milliseconds) => milliseconds switch
    {
        null => DefaultTimeout,
        <= 0 => throw new ToolException("'timeout' must be positive"),
        _ => TimeSpan.FromMilliseconds(Math.Min(milliseconds.Value, MaxTimeout.TotalMilliseconds)),
    };

    /// <summary>The whole tree: the command's own children must not outlive the call.</summary>
    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }

    /// <summary>Awaits output readers that are being stopped: their cancellation or timeout is expected here.</summary>
    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or IOException)
        {
        }
    }

    /// <summary>Output kept up to a number of characters; the rest is counted, so the model knows it was cut.</summary>
    private sealed class CappedText(int max)
    {
        private readonly StringBuilder text = new();
        private long dropped;

        public void AppendLine(string line)
        {
            lock (text)
            {
                var room = max - text.Length;
                var kept = Math.Clamp(room, 0, line.Length + 1);
                if (kept > 0) text.Append((line + "\n").AsSpan(0, kept));
                dropped += line.Length + 1 - kept;
            }
        }

        public override string ToString()
        {
            lock (text)
                return dropped == 0 ? text.ToString().TrimEnd('\n') : $"{text}\n[output truncated: {dropped} more characters]";
        }
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Abstractions.Control;
using AgentCluster.Agent.Control;
using AgentCluster.Tests.Infrastructure;

namespace AgentCluster.Tests.Agent;

/// <summary>The built agent as a real process, with its output kept for failure messages; killed (tree and all) when disposed.</summary>
public sealed partial class AgentProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private AgentProcess(Process process) => this.process = process;

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>An agent for the stub's session; <paramref name="environment"/> adds to or (with null) removes from it.</summary>
    public static AgentProcess Start(StubOrchestrator? stub, string workspace, IReadOnlyDictionary<string, string?>? environment = null, string? urls = null)
    {
        var variables = new Dictionary<string, string?>
        {
            [AgentEnvironment.SessionId] = StubOrchestrator.SessionId,
            [AgentEnvironment.SessionToken] = StubOrchestrator.Token,
            [AgentEnvironment.OrchestratorUrls] = urls ?? stub?.Url.ToString(),
            [AgentEnvironment.Workspace] = workspace,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) variables[key] = value;
        return Start(variables);
    }

    public static AgentProcess Start(IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AgentCluster.Agent.dll"));
        // Only what the test sets: nothing of the runner's own environment may configure the agent.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("AGENTCLUSTER_") || k == AgentEnvironment.HeartbeatInterval || k == ControlServer.AddressVariable).ToList())
            info.Environment.Remove(key);
        // Agents run side by side: each control server on a port of its own (its log says which).
        info.Environment[ControlProtocol.PortVariable] = "0";
        foreach (var (key, value) in environment)
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        var agent = new AgentProcess(new Process { StartInfo = info });
        agent.process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        agent.process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        agent.process.Start();
        agent.process.BeginOutputReadLine();
        agent.process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Every process the agent started, and theirs: what must be gone once it exits.</summary>
    public IReadOnlyList<int> Descendants()
    {
        var found = new List<int>();
        var parents = new Queue<int>([process.Id]);
        while (parents.TryDequeue(out var parent))
        {
            foreach (var child in Processes.ChildrenOf(parent))
            {
                found.Add(child);
                parents.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>The control server's base URL, from the line the agent logs once it listens.</summary>
    public async Task<Uri> ControlUrlAsync(TimeSpan deadline)
    {
        Match? found = null;
        await Eventually.TrueAsync(() => (found = ControlServerLine().Match(Output)).Success || HasExited, deadline,
            $"the control server listens; agent said:\n{Output}");
        Assert.True(found!.Success, $"the agent exited before its control server listened; it said:\n{Output}");
        return new Uri(found.Groups["url"].Value.TrimEnd('/') + "/");
    }

    public async Task<int> ExitCodeAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the agent did not exit within {deadline.TotalSeconds:0.#} s; its output:\n{Output}");
        }
        return process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    [GeneratedRegex(@"control server on (?<url>\S+)")]
    private static partial Regex ControlServerLine();

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}

using System.Net.Http.Headers;
using AgentCluster.Abstractions.Control;
using AgentCluster.Agent.Control;

namespace AgentCluster.Tests.Agent;

/// <summary>
/// A real agent process set up by a <see cref="StubOrchestrator"/> (which hands it <see cref="StubOrchestrator.ControlKey"/>),
/// its control server on 127.0.0.1 and a free port, and a client that presents the key: shared by a test class, each
/// test working in a folder of its own in the workspace.
/// </summary>
public sealed class ControlServerAgent : IAsyncLifetime
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public string Workspace { get; } = Directory.CreateTempSubdirectory("agent-ctl-").FullName;

    /// <summary>Outside the workspace: what no path may reach.</summary>
    public string Outside { get; } = Directory.CreateTempSubdirectory("agent-ctl-outside-").FullName;

    public StubOrchestrator Stub { get; private set; } = null!;
    public AgentProcess Agent { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stub = await StubOrchestrator.StartAsync();
        Agent = AgentProcess.Start(Stub, Workspace, new Dictionary<string, string?> { [ControlServer.AddressVariable] = "127.0.0.1" });
        Url = await Agent.ControlUrlAsync(Deadline);
        Client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(2) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StubOrchestrator.ControlKey);
        // Armed once the setup is done: the first answer that is not 503.
        await Eventually.TrueAsync(async () => (await Client.GetAsync(ControlProtocol.FilesPath)).StatusCode != System.Net.HttpStatusCode.ServiceUnavailable,
            Deadline, () => $"the agent's setup armed its control server; agent said:\n{Agent.Output}");
    }

    /// <summary>A fresh folder of the workspace for one test: its path relative to the workspace.</summary>
    public string NewFolder(string name)
    {
        Directory.CreateDirectory(Path.Combine(Workspace, name));
        return name;
    }

    /// <summary>A request URI sent exactly as written: no '..' collapsed, no escape undone (what a hostile caller sends).</summary>
    public Uri Raw(string pathAndQuery) =>
        new(Url.AbsoluteUri + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Agent is not null) await Agent.DisposeAsync();
        if (Stub is not null) await Stub.DisposeAsync();
        Directory.Delete(Workspace, recursive: true);
        Directory.Delete(Outside, recursive: true);
    }
}

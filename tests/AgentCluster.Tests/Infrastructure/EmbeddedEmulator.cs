using System.Text.RegularExpressions;
using AgentCluster.Fly.Api;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>A node process's own emulator (its embedded default), reached at the address the node logs at start; it takes any token.</summary>
public static partial class EmbeddedEmulator
{
    /// <summary>The app its sessions' machines are in (EmbeddedFly.DefaultApp).</summary>
    public const string App = "agentcluster-agents";

    public static Uri Url(NodeHost node) => new(Address().Match(node.Log).Groups[1].Value);

    /// <summary>A Machines client of it; dispose the provider when done.</summary>
    public static ServiceProvider Client(NodeHost node) => EmulatorHost.CreateClientServices(Url(node), "any-token");

    public static IFlyMachinesApi Machines(this ServiceProvider client) => client.GetRequiredService<IFlyMachinesApi>();

    [GeneratedRegex(@"Embedded Fly Machines emulator at (\S+), app")]
    private static partial Regex Address();
}

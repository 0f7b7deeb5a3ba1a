using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
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

    /// <summary>The agent process behind the machine, from the emulator's control endpoint.</summary>
    public static async Task<int> AgentPidAsync(NodeHost node, string machineId)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "any-token");
        var info = await http.GetFromJsonAsync<JsonObject>(new Uri(Url(node), $"/_emulator/apps/{App}/machines/{machineId}/process"));
        return info!["pid"]!.GetValue<int>();
    }

    [GeneratedRegex(@"Embedded Fly Machines emulator at (\S+), app")]
    private static partial Regex Address();
}

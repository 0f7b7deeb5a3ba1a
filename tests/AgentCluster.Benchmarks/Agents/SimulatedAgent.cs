using System.Net.Http.Json;
using AgentCluster.Abstractions.Agents;
using AgentCluster.Benchmarks.Hosts;
using AgentCluster.Fly.Models;

namespace AgentCluster.Benchmarks.Agents;

/// <summary>
/// Plays the agent of one session over the real agent protocol, for machines the emulator runs without a
/// process. It learns its session token as the real agent does: from its machine's environment.
/// </summary>
public sealed class SimulatedAgent(HttpClient node, string sessionId, string token)
{
    private readonly string instance = Guid.NewGuid().ToString("N");
    private long seq;

    public string SessionId { get; } = sessionId;

    /// <summary>The agent of <paramref name="sessionId"/>'s machine, calling <paramref name="node"/>.</summary>
    public static async Task<SimulatedAgent> ForSessionAsync(EmulatorHost fly, HttpClient node, string sessionId, CancellationToken cancellationToken)
    {
        var machine = await fly.SessionMachineAsync(sessionId, cancellationToken);
        var token = machine.Config?.Env?.GetValueOrDefault(AgentEnvironment.SessionToken)
            ?? throw new InvalidOperationException($"machine {machine.Id} has no {AgentEnvironment.SessionToken}");
        return new SimulatedAgent(node, sessionId, token);
    }

    public async Task<AgentAck> HeartbeatAsync(CancellationToken cancellationToken) =>
        await SendAsync(AgentProtocol.HeartbeatPath(SessionId), new AgentHello(instance), cancellationToken);

    /// <summary>Pushes <paramref name="payloads"/> as events of <paramref name="turn"/> of the given type, numbered on from the last push.</summary>
    public async Task<AgentAck> PushAsync(int turn, string type, IReadOnlyList<string> payloads, CancellationToken cancellationToken)
    {
        var events = payloads.Select(p => new AgentEvent { Seq = ++seq, Type = type, Turn = turn, Payload = p }).ToList();
        return await SendAsync(AgentProtocol.EventsPath(SessionId), new AgentEventBatch(instance, events), cancellationToken);
    }

    /// <summary>The next turn after <paramref name="after"/>, waiting up to <paramref name="wait"/>; null when none came.</summary>
    public async Task<AgentTurn?> NextTurnAsync(int after, TimeSpan wait, CancellationToken cancellationToken)
    {
        var path = $"{AgentProtocol.NextTurnPath(SessionId)}?after={after}&instance={instance}&wait={wait.TotalSeconds:0}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await node.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.StatusCode == System.Net.HttpStatusCode.NoContent
            ? null
            : await response.Content.ReadFromJsonAsync<AgentTurn>(ProtocolJson.Options, cancellationToken);
    }

    private async Task<AgentAck> SendAsync<T>(string path, T body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: ProtocolJson.Options) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await node.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<AgentAck>(ProtocolJson.Options, cancellationToken))!;
    }
}

using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Hosting;

namespace AgentCluster.Silo.Webhooks;

/// <summary>What an owner's grain persists: its subscriptions' ids.</summary>
[GenerateSerializer, Alias("AgentCluster.WebhookOwnerState")]
public sealed class WebhookOwnerState
{
    [Id(0)] public List<string> Subscriptions { get; set; } = [];
}

/// <summary>The list of one owner's subscriptions; the door through which its sessions reach them.</summary>
[GrainType("webhook-owner")]
public sealed class WebhookOwnerGrain(
    [PersistentState("webhook-owner", ClusterHosting.StorageName)] IPersistentState<WebhookOwnerState> state) : Grain, IWebhookOwnerGrain
{
    public async Task AddAsync(string id, IReadOnlyList<string> events, int max)
    {
        if (state.State.Subscriptions.Contains(id)) return;
        if (state.State.Subscriptions.Count >= max)
            throw new SessionException(SessionErrorKind.Conflict, $"This key has its {max} webhook subscriptions already; delete one first.");
        state.State.Subscriptions.Add(id);
        await state.WriteStateAsync();
    }

    public async Task<bool> RemoveAsync(string id)
    {
        if (!state.State.Subscriptions.Remove(id)) return false;
        await state.WriteStateAsync();
        return true;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Subscriptions]);

    public Task SessionAdvancedAsync(string sessionId, long lastSeq) =>
        Task.WhenAll(state.State.Subscriptions.Select(id => GrainFactory.GetGrain<IWebhookGrain>(id).SessionAdvancedAsync(sessionId, lastSeq)));
}

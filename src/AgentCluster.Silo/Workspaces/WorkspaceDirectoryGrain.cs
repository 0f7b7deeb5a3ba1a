using AgentCluster.Silo.Hosting;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Workspaces;

[GrainType("workspace-directory")]
public sealed class WorkspaceDirectoryGrain(
    [PersistentState("workspaces", ClusterHosting.StorageName)] IPersistentState<WorkspaceDirectoryState> state) : Grain, IWorkspaceDirectoryGrain
{
    public async Task AddAsync(string name)
    {
        if (state.State.Names.Add(name)) await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string name)
    {
        if (state.State.Names.Remove(name)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Names.ToList());
}

[GenerateSerializer, Alias("AgentCluster.WorkspaceDirectoryState")]
public sealed class WorkspaceDirectoryState
{
    [Id(0)] public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}

using AgentCluster.Silo.Sessions;
namespace AgentCluster.Silo.Workspaces;

/// <summary>The names of one owner's workspaces (keyed by the owner), for listing them; the workspaces keep it up to date.</summary>
[Alias("AgentCluster.IWorkspaceDirectoryGrain")]
public interface IWorkspaceDirectoryGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task AddAsync(string name);

    [Alias("Remove")]
    Task RemoveAsync(string name);

    [Alias("List"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<string>> ListAsync();
}

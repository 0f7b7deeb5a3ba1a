namespace AgentCluster.Silo.Machines;

/// <summary>
/// The cluster's one queue for Fly's Create Machine budget (<see cref="CreateBudget"/>): key 0. A waiter told to
/// wait is called back when its turn comes (<see cref="ICreateWaiterGrain.CreateGrantedAsync"/>); the queue is in
/// memory only, so waiters ask again now and then (a session on each upkeep check) and a queue lost with its node
/// fills again in the same order, since waiters are ordered by when they were made, not when they asked.
/// </summary>
[Alias("AgentCluster.IMachineCreatesGrain")]
public interface IMachineCreatesGrain : IGrainWithIntegerKey
{
    [Alias("Ask")]
    Task<CreateTicket> AskAsync(CreateWaiter waiter);

    [Alias("Cancel")]
    Task CancelAsync(CreateWaiter waiter);
}

/// <summary>Whoever waits for a create: told which app to create in once it is its turn.</summary>
[Alias("AgentCluster.ICreateWaiterGrain")]
public interface ICreateWaiterGrain : IGrainWithStringKey
{
    [Alias("CreateGranted")]
    Task CreateGrantedAsync(string app);
}

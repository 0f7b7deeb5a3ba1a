using AgentCluster.Silo.Api;
using Orleans.Storage;
using AgentCluster.Silo.Sessions;

namespace AgentCluster.Silo.Hosting;

/// <summary>
/// When a grain call fails on storage (Redis unreachable or restarting, a write whose outcome is unknown, an
/// ETag that no longer matches), the activation's memory may no longer match what is stored: a change made in
/// memory but never written, or an ETag that every later write would trip on. The activation deactivates, so
/// the call's retry starts again from what is stored.
/// </summary>
internal sealed class StorageFaults : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (IsStorageFault(e))
        {
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, e, "A storage operation failed; the next call starts from what is stored."));
            throw;
        }
    }

    private static bool IsStorageFault(Exception e) =>
        e is InconsistentStateException || (ClusterFaults.IsTransient(e) && e is not (SiloUnavailableException or OrleansMessageRejectionException));
}

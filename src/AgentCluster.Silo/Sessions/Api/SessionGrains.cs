using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// A session grain's reference, made without Orleans resolving the interface again. <c>GetGrain&lt;T&gt;(key)</c>
/// reads <typeparamref name="T"/>'s attributes by reflection on every call (2.5-3 % of a heartbeat's CPU in a
/// profile: BENCHMARKS.md); the grain type and interface type it resolves to never change in a process, so they are
/// taken from the first reference and reused.
/// </summary>
public static class SessionGrains
{
    private sealed record Types(GrainType Grain, GrainInterfaceType Interface);

    // A reference, so that it is published whole: a struct pair could be read half written by another thread.
    private static Types? types;

    public static ISessionGrain Session(this IGrainFactory grains, string sessionId)
    {
        if (types is { } known)
            return (ISessionGrain)grains.GetGrain(GrainId.Create(known.Grain, sessionId), known.Interface);
        var first = grains.GetGrain<ISessionGrain>(sessionId);
        var reference = (GrainReference)first;
        types = new Types(reference.GrainId.Type, reference.InterfaceType);
        return first;
    }
}

using System.Security.Cryptography;
using System.Text;
using AgentCluster.Abstractions.Sessions;
using AgentCluster.Silo.Cost;

namespace AgentCluster.Silo.Machines;

/// <summary>
/// What a machine is made as, independent of the session it serves: its image, its guest and its region. Two
/// sessions of one shape can run on each other's machine; a pool keeps ready machines of one shape.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.MachineShape")]
public sealed record MachineShape([property: Id(0)] string Image, [property: Id(1)] GuestSpec Guest, [property: Id(2)] string Region)
{
    /// <summary>
    /// A short name, the same on every node for the same shape: <c>shared-cpu-1x-1024mb-iad-1a2b3c4d</c> (the last part
    /// a hash of the image). It keys the shape's pool, tags its machines and names it in metrics.
    /// </summary>
    public string Name => $"{GuestSizes.Name(Guest)}-{Guest.MemoryMb}mb-{Region}-{ImageHash}";

    private string ImageHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Image)))[..8];
}

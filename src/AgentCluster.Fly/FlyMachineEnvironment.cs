using Microsoft.Extensions.Configuration;

namespace AgentCluster.Fly;

/// <summary>
/// The variables Fly sets in every Machine it runs, and whether this process runs in one. In a Machine
/// <see cref="AppName"/> is the Machine's own app, which is why it cannot also name another app there.
/// </summary>
public static class FlyMachineEnvironment
{
    public const string AppName = "FLY_APP_NAME";
    public const string MachineId = "FLY_MACHINE_ID";

    /// <summary>The Machine's address on its organization's private network (6PN), an IPv6 address.</summary>
    public const string PrivateIp = "FLY_PRIVATE_IP";

    /// <summary>
    /// Both are Fly's own: a Machine always has them and nothing else sets them for a node (the Machines emulator
    /// sets them for the agents it runs, which are not nodes).
    /// </summary>
    public static bool IsFlyMachine(IConfiguration config) =>
        !string.IsNullOrEmpty(config[MachineId]) && !string.IsNullOrEmpty(config[PrivateIp]);
}

using AgentCluster.Fly.Api;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Tests.Infrastructure;

/// <summary>The client interfaces of one service provider, for tests that run an emulator of their own.</summary>
public sealed class EmulatorClient(IServiceProvider services)
{
    public IFlyAppsApi Apps => services.GetRequiredService<IFlyAppsApi>();
    public IFlyMachinesApi Machines => services.GetRequiredService<IFlyMachinesApi>();
    public IFlyVolumesApi Volumes => services.GetRequiredService<IFlyVolumesApi>();
}

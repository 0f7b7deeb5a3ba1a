using System.Collections.Concurrent;
using AgentCluster.FlyEmulator.Lifecycle;
using Microsoft.Extensions.Options;

namespace AgentCluster.FlyEmulator.State;

/// <summary>The apps and machines of the emulator, and where their files live.</summary>
internal sealed class EmulatorStore(IOptions<EmulatorOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, EmulatedApp> apps = new();

    public string DataDirectory { get; } = options.Value.DataDirectory
        ?? Path.Combine(Path.GetTempPath(), "agentcluster-emulator", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..16]);

    public bool TryAddApp(EmulatedApp app) => apps.TryAdd(app.Name, app);

    public bool TryRemoveApp(string name) => apps.TryRemove(name, out _);

    public EmulatedApp? FindApp(string name) => apps.GetValueOrDefault(name);

    public IEnumerable<EmulatedApp> Apps => apps.Values;

    public EmulatedApp RequireApp(string name) => FindApp(name) ?? throw FlyError.AppNotFound();

    public EmulatedMachine RequireMachine(string appName, string machineId) =>
        FindMachine(RequireApp(appName), machineId) ?? throw FlyError.MachineNotFound();

    public IEnumerable<EmulatedMachine> AllMachines => apps.Values.SelectMany(a => a.Machines.Values);

    /// <summary>The machine, including a destroyed one within its retention; null once it is gone.</summary>
    public EmulatedMachine? FindMachine(EmulatedApp app, string machineId)
    {
        if (!app.Machines.TryGetValue(machineId, out var machine)) return null;
        if (IsGone(machine))
        {
            app.Remove(machine);
            return null;
        }
        return machine;
    }

    public IEnumerable<EmulatedMachine> Machines(EmulatedApp app) =>
        app.Machines.Values.Where(m => FindMachine(app, m.Id) is not null).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id);

    public string MachineDirectory(string appName, string machineId) => Path.Combine(DataDirectory, appName, machineId);

    /// <summary>Where a volume's data lives: beside the app's machines (volume ids start with <c>vol_</c>, machine ids never do).</summary>
    public string VolumeDirectory(string appName, string volumeId) => Path.Combine(DataDirectory, appName, volumeId);

    public EmulatedVolume RequireVolume(string appName, string volumeId) =>
        RequireApp(appName).Volumes.GetValueOrDefault(volumeId) ?? throw FlyError.VolumeNotFound();

    private bool IsGone(EmulatedMachine machine)
    {
        lock (machine.Sync)
            return machine.DestroyedAt is { } at && time.GetUtcNow() >= at + options.Value.DestroyedRetention;
    }
}

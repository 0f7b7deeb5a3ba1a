using System.Diagnostics;
using AgentCluster.Fly;
using AgentCluster.Fly.Api;
using AgentCluster.Fly.Models;
using Microsoft.Extensions.DependencyInjection;

namespace AgentCluster.Benchmarks.Baselines;

/// <summary>
/// The floor Fly itself puts under a burst of session starts: the same number of machine creates sent at once
/// straight to the Machines API, through the product's Fly client keeping to Fly's limits as a node does (one
/// create a second per app, bursts of 3; a 429 waits for its Retry-After), each then waited on (<c>/wait</c>)
/// until <c>started</c>, which the boot delay holds back. Its machines run a sleep, not an agent: no session
/// to serve, only Fly's part of a start. One machine not counted goes first, as a node's warm-up session does.
/// </summary>
public static class MachineBurst
{
    /// <remarks>
    /// The burst starts with Fly's whole create budget: the warm-up spent one create, and the emulator's BootDelay (2 s)
    /// passed between it and its machine's <c>started</c>, longer than one create takes to come back (1 s).
    /// </remarks>
    public static async Task<IReadOnlyList<MachineSample>> RunAsync(
        EmulatorHost fly, int machines, TimeSpan deadline, CancellationToken cancellationToken)
    {
        await using var services = EmulatorHost.CreateClientServices(fly.Url, EmulatorHost.Token, options =>
        {
            options.ClientRateLimits = true;
            // A create's wait for its turn in the budget happens inside one attempt: as long as the whole burst may take.
            options.AttemptTimeout = deadline > options.AttemptTimeout ? deadline : options.AttemptTimeout;
            options.TotalTimeout = options.AttemptTimeout * 2;
        });
        var api = services.GetRequiredService<IFlyMachinesApi>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);

        var warm = await StartOneAsync(api, Task.CompletedTask, deadline, timeout.Token);
        await DestroyAsync(api, [warm], cancellationToken);

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = Enumerable.Range(0, machines).Select(_ => Task.Run(() => StartOneAsync(api, go.Task, deadline, timeout.Token), timeout.Token)).ToList();
        go.SetResult();
        var samples = await Task.WhenAll(burst);
        // Off the clock: the machines go, so that nothing of this run outlives it.
        await DestroyAsync(api, samples, cancellationToken);
        return samples;
    }

    private static async Task<MachineSample> StartOneAsync(IFlyMachinesApi api, Task go, TimeSpan deadline, CancellationToken cancellationToken)
    {
        await go;
        var begin = Stopwatch.GetTimestamp();
        var machine = await api.CreateMachineAsync(EmulatorHost.App, Request(), cancellationToken);
        var created = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        await api.WaitForStateAsync(EmulatorHost.App, machine.Id, [MachineStates.Started], deadline, cancellationToken: cancellationToken);
        return new MachineSample(machine.Id, created, Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
    }

    private static Task DestroyAsync(IFlyMachinesApi api, IEnumerable<MachineSample> machines, CancellationToken cancellationToken) =>
        Task.WhenAll(machines.Select(m => api.DestroyMachineAsync(EmulatorHost.App, m.MachineId, force: true, cancellationToken: cancellationToken)));

    /// <summary>A machine shaped like a session's (image, guest, no restart), running a sleep instead of an agent.</summary>
    private static CreateMachineRequest Request() => new()
    {
        Name = "burst-" + Guid.NewGuid().ToString("N"),
        Region = "iad",
        Config = new MachineConfig
        {
            Image = "agentcluster-agent:latest",
            Init = new MachineInit { Exec = ["sleep", "300"] },
            Guest = new MachineGuest { CpuKind = "shared", Cpus = 1, MemoryMb = 256 },
            Restart = new MachineRestart { Policy = "no" },
            Metadata = new Dictionary<string, string> { ["bench"] = "burst" },
        },
    };
}

/// <summary>One machine of the burst: when its create was answered and when it was started, in milliseconds from sending the create.</summary>
public sealed record MachineSample(string MachineId, double Created, double Started);

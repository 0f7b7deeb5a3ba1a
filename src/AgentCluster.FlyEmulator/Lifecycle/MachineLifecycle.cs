using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Processes;
using AgentCluster.FlyEmulator.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static AgentCluster.Fly.Models.MachineStates;

namespace AgentCluster.FlyEmulator.Lifecycle;

/// <summary>
/// Fly's machine state machine over local processes (API-NOTES §4). A call validates and moves the machine
/// into its transient state under the machine's lock and answers at once; the slow part (booting, the
/// graceful stop and its SIGKILL, restarting) finishes in the background, as on Fly, and callers /wait.
/// </summary>
internal sealed partial class MachineLifecycle(
    EmulatorStore store,
    MachineLauncher launcher,
    MachineLeases leases,
    VolumeLifecycle volumes,
    PrivateAddresses addresses,
    IOptions<EmulatorOptions> options,
    TimeProvider time,
    ILogger<MachineLifecycle> logger) : IAsyncDisposable
{
    private static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RestartWindow = TimeSpan.FromMinutes(5);
    private const int DefaultMaxRetries = 10;
    private const int SIGCONT = 18, SIGSTOP = 19;

    private readonly CancellationTokenSource shutdown = new();
    private int disposed;
    private EmulatorOptions Options => options.Value;
    private DateTimeOffset Now => time.GetUtcNow();

    public EmulatedMachine Create(EmulatedApp app, CreateMachineRequest request, string owner)
    {
        var config = MachineConfigRules.Normalize(request.Config);
        var now = Now;
        var id = FlyIds.MachineId();
        var name = string.IsNullOrWhiteSpace(request.Name) ? UnusedName(app) : request.Name;
        var region = string.IsNullOrWhiteSpace(request.Region) ? Options.Region : request.Region;
        volumes.Attach(app, id, region, config.Mounts);
        string privateIp;
        try
        {
            privateIp = addresses.Allocate();
        }
        catch
        {
            volumes.Detach(app, id);
            throw;
        }
        var machine = new EmulatedMachine
        {
            Id = id,
            Name = name,
            App = app,
            Region = region,
            PrivateIp = privateIp,
            CreatedAt = now,
            UpdatedAt = now,
            MachineDirectory = store.MachineDirectory(app.Name, id),
            Config = config,
            Version = FlyIds.Ulid(now),
            State = Created,
            Launching = request.SkipLaunch != true,
        };
        if (!app.TryAdd(machine))
        {
            volumes.Detach(app, id);
            addresses.Release(privateIp);
            throw new FlyError(409, $"already_exists: unable to create machine: a machine named '{name}' already exists in app {app.Name}");
        }
        Directory.CreateDirectory(machine.RootfsDirectory);
        lock (machine.Sync)
        {
            machine.AddEvent("launch", "pending", "flyd", now, Options.EventsKept);
            machine.AddEvent("launch", "created", "user", now, Options.EventsKept);
            if (request.LeaseTtl is { } ttl) leases.AcquireOrRefresh(machine, TimeSpan.FromSeconds(ttl), null, null, owner);
        }
        if (machine.Launching) InBackground(machine, () => BootAsync(machine));
        return machine;
    }

    public StartMachineResponse Start(EmulatedMachine m, string? nonce)
    {
        lock (m.Sync)
        {
            leases.Check(m, nonce);
            var previous = m.State;
            switch (previous)
            {
                case Started:
                    throw FlyError.FailedPrecondition("machine still active, refusing to start");
                case Replacing or Updating:
                    throw FlyError.FailedPrecondition("machine getting replaced, refusing to start");
                case Created when m.Launching:
                    throw FlyError.CannotFrom("start", previous);
                // Fly starts a machine that is still suspending: the suspend is called off.
                case Created or Stopped or Failed or Suspended or Suspending:
                    break;
                default:
                    throw FlyError.CannotFrom("start", previous);
            }
            m.AddEvent("start", "starting", "user", Now, Options.EventsKept);
            m.SetState(Starting, Now);
            if (previous is Suspended or Suspending)
            {
                // A snapshot resumes where it was, after the restore (none when the snapshot was not written yet).
                var run = m.Run;
                var restored = Delay(previous == Suspended ? Options.ResumeDelay : TimeSpan.Zero);
                InBackground(m, () => ResumeAsync(m, run, restored));
            }
            else InBackground(m, () => { Spawn(m); return Task.CompletedTask; });
            return new StartMachineResponse { PreviousState = previous, Migrated = false, NewHost = "" };
        }
    }

    /// <summary>The frozen processes carry on (SIGCONT), unless a stop, update or destroy took the run over meanwhile.</summary>
    private async Task ResumeAsync(EmulatedMachine m, int run, Task restored)
    {
        await restored;
        lock (m.Sync)
        {
            if (m.State != Starting || m.Run != run) return;
            m.Process?.Signal(SIGCONT);
            m.Frozen = false;
            m.AddEvent("start", "started", "flyd", Now, Options.EventsKept);
            m.SetState(Started, Now);
        }
    }

    public void Stop(EmulatedMachine m, StopRequest? request, string? nonce)
    {
        MachineProcess? process;
        int signal;
        TimeSpan timeout;
        lock (m.Sync)
        {
            leases.Check(m, nonce);
            if (m.State is Stopped or Stopping) return;
            if (m.State is Destroying or Destroyed or Suspending) throw FlyError.CannotFrom("stop", m.State);
            (signal, timeout) = StopSignal(m, request?.Signal, request?.Timeout);
            // A suspended machine's snapshot is discarded, not asked to shut down (a frozen process could not answer).
            if (m.Frozen) (signal, timeout) = (PosixSignals.SIGKILL, TimeSpan.Zero);
            process = TakeProcess(m);
            m.AddEvent("stop", "stopping", "user", Now, Options.EventsKept, new MachineEventRequest { Reason = "" });
            m.SetState(Stopping, Now);
        }
        InBackground(m, async () =>
        {
            var exit = process is null ? (ProcessExit?)null : await StopProcessAsync(process, signal, timeout);
            bool destroy;
            lock (m.Sync)
            {
                if (m.State != Stopping) return;
                m.AddEvent("exit", "stopped", "flyd", Now, Options.EventsKept, ExitRequest(exit, requestedStop: true, restarting: false, m.Restarts.Count));
                m.SetState(Stopped, Now);
                destroy = m.Config.AutoDestroy == true;
            }
            WipeRootfs(m);
            if (destroy) await DestroyAsync(m, force: true, nonce: null, checkLease: false);
        });
    }

    public void Suspend(EmulatedMachine m, string? nonce)
    {
        MachineEvent suspending;
        lock (m.Sync)
        {
            leases.Check(m, nonce);
            if (m.State != Started) throw FlyError.CannotFrom("suspend", m.State);
            if (MachineConfigRules.SuspendRefusal(m.Config) is { } refusal) throw FlyError.FailedPrecondition("unable to suspend machine: " + refusal);
            // The emulator's snapshot: the whole process tree frozen in memory until start resumes it. Frozen under
            // the lock, so that a start calling the suspend off cannot be overtaken by it.
            m.Process?.Signal(SIGSTOP);
            m.Frozen = m.Process is not null;
            m.EndExecs(); // a snapshot would hold them; here their callers would wait until the resume
            suspending = m.AddEvent("suspend", "suspending", "user", Now, Options.EventsKept);
            m.SetState(Suspending, Now);
        }
        var written = Delay(Options.SuspendDelay);
        InBackground(m, async () =>
        {
            await written;
            lock (m.Sync)
            {
                // Nothing happened to the machine since: not called off by a start, nor overtaken by a later suspend.
                if (m.State != Suspending || m.LatestEventId != suspending.Id) return;
                m.AddEvent("suspend", "suspended", "flyd", Now, Options.EventsKept);
                m.SetState(Suspended, Now);
            }
        });
    }

    public void Restart(EmulatedMachine m, string? signalName, TimeSpan? stopTimeout, string? nonce)
    {
        MachineProcess? process;
        int signal;
        TimeSpan timeout;
        lock (m.Sync)
        {
            leases.Check(m, nonce);
            if (m.State != Started) throw FlyError.CannotFrom("restart", m.State);
            (signal, timeout) = StopSignal(m, signalName, stopTimeout);
            process = TakeProcess(m);
            m.AddEvent("restart", "stopping", "user", Now, Options.EventsKept);
            m.SetState(Restarting, Now);
        }
        InBackground(m, async () =>
        {
            var exit = process is null ? (ProcessExit?)null : await StopProcessAsync(process, signal, timeout);
            lock (m.Sync)
            {
                if (m.State != Restarting) return;
                m.AddEvent("exit", "stopped", "flyd", Now, Options.EventsKept, ExitRequest(exit, requestedStop: true, restarting: true, m.Restarts.Count));
                m.AddEvent("restart", "starting", "flyd", Now, Options.EventsKept);
                m.SetState(Starting, Now);
            }
            Spawn(m);
        });
    }

    public void Signal(EmulatedMachine m, string signalName)
    {
        if (!PosixSignals.TryParse(signalName, out var signal)) throw FlyError.BadRequest($"invalid signal '{signalName}'");
        lock (m.Sync)
        {
            if (m.State != Started || m.Process is null) throw FlyError.CannotFrom("signal", m.State);
            m.Process.Signal(signal);
        }
    }

    public Machine Update(EmulatedMachine m, UpdateMachineRequest request, string? nonce)
    {
        var config = MachineConfigRules.Normalize(request.Config);
        MachineProcess? process = null;
        bool relaunch;
        Machine answer;
        lock (m.Sync)
        {
            leases.Check(m, nonce);
            if (m.State is Destroying or Destroyed) throw FlyError.CannotFrom("update", m.State);
            if (request.CurrentVersion is { Length: > 0 } expected && expected != m.Version)
                throw new FlyError(409, $"version mismatch: machine {m.Id} is at version {m.Version}, not {expected}");
            if (request.Name is { Length: > 0 } name && name != m.Name) throw FlyError.BadRequest("machine name cannot be changed");
            if (request.Region is { Length: > 0 } region && region != m.Region) throw FlyError.BadRequest("machine region cannot be changed");
            volumes.Attach(m.App, m.Id, m.Region, config.Mounts);

            var wasRunning = m.State is Started or Starting or Restarting or Replacing;
            relaunch = wasRunning && request.SkipLaunch != true;
            m.PastVersions.Add(new MachineVersion { Version = m.Version, UserConfig = m.Config });
            m.Config = config;
            m.Version = FlyIds.Ulid(Now);
            m.AddEvent("update", "replacing", "user", Now, Options.EventsKept);
            if (relaunch || m.State is Suspended || wasRunning)
            {
                process = TakeProcess(m);
                m.SetState(relaunch ? Replacing : Stopping, Now);
            }
            else m.SetState(m.State, Now);
            answer = m.ToMachine();
        }
        if (process is not null || relaunch)
        {
            InBackground(m, async () =>
            {
                var (signal, timeout) = StopSignal(m, null, null);
                var exit = process is null ? (ProcessExit?)null : await StopProcessAsync(process, signal, timeout);
                lock (m.Sync)
                {
                    if (m.State is not (Replacing or Stopping)) return;
                    if (exit is not null)
                        m.AddEvent("exit", "stopped", "flyd", Now, Options.EventsKept, ExitRequest(exit, requestedStop: true, restarting: relaunch, m.Restarts.Count));
                    // A machine that was not running keeps its new version stopped, as Fly does.
                    m.SetState(relaunch ? Starting : Stopped, Now);
                }
                if (relaunch) Spawn(m);
                else WipeRootfs(m);
            });
        }
        return answer;
    }

    /// <summary>Destroys now (the answer comes once the machine reads <c>destroyed</c>); a running machine needs force.</summary>
    public async Task DestroyAsync(EmulatedMachine m, bool force, string? nonce, bool checkLease = true)
    {
        MachineProcess? process;
        lock (m.Sync)
        {
            if (checkLease) leases.Check(m, nonce);
            if (m.State is Destroyed) throw FlyError.MachineNotFound();
            if (m.State is Destroying) return;
            if (!force && m.State is not (Stopped or Suspended or Created or Failed))
                throw FlyError.FailedPrecondition($"unable to destroy machine in state '{m.State}', stop it first or use force=true");
            process = TakeProcess(m);
            m.Lease = null;
            m.AddEvent("destroy", "destroying", "user", Now, Options.EventsKept);
            m.SetState(Destroying, Now);
        }
        if (process is not null)
        {
            process.Kill();
            await process.DisposeAsync();
        }
        DeleteDirectory(m.MachineDirectory);
        volumes.Detach(m.App, m.Id);
        addresses.Release(m.PrivateIp);
        lock (m.Sync)
        {
            m.AddEvent("destroy", "destroyed", "flyd", Now, Options.EventsKept);
            m.DestroyedAt = Now;
            m.SetState(Destroyed, Now);
        }
    }

    public void Cordon(EmulatedMachine m, bool cordoned, string? nonce)
    {
        lock (m.Sync)
        {
            leases.Check(m, nonce);
            if (m.State is Destroying or Destroyed) throw FlyError.CannotFrom(cordoned ? "cordon" : "uncordon", m.State);
            m.Cordoned = cordoned;
            m.SetState(m.State, Now);
        }
    }

    /// <summary>Fault injection: the machine's process dies as if it crashed, and the restart policy takes over.</summary>
    public void Crash(EmulatedMachine m)
    {
        lock (m.Sync)
        {
            if (m.State != Started || m.Process is null) throw FlyError.CannotFrom("crash", m.State);
            m.Process.Signal(PosixSignals.SIGKILL);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await shutdown.CancelAsync();
        var processes = new List<MachineProcess>();
        foreach (var m in store.AllMachines)
            lock (m.Sync)
                if (TakeProcess(m) is { } process) processes.Add(process);
        await Task.WhenAll(processes.Select(p => p.DisposeAsync().AsTask()));
        if (Options.DataDirectory is null) DeleteDirectory(store.DataDirectory);
    }

    private async Task BootAsync(EmulatedMachine m)
    {
        if (Options.BootDelay > TimeSpan.Zero) await Task.Delay(Options.BootDelay, time, shutdown.Token);
        lock (m.Sync)
        {
            if (m.State != Created || !m.Launching) return;
            m.Launching = false;
            m.SetState(Starting, Now);
        }
        Spawn(m);
    }

    /// <summary>Starts the machine's process; the machine must be <c>starting</c>, or the new process is discarded.</summary>
    private void Spawn(EmulatedMachine m)
    {
        if (!Options.RunProcesses)
        {
            lock (m.Sync)
            {
                if (m.State != Starting) return;
                ++m.Run;
                m.AddEvent("start", "started", "flyd", Now, Options.EventsKept);
                m.SetState(Started, Now);
            }
            return;
        }
        MachineProcess process;
        try
        {
            Directory.CreateDirectory(m.RootfsDirectory);
            process = launcher.Launch(m);
        }
        catch (Exception e) when (e is MachineLaunchException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            lock (m.Sync)
            {
                if (m.State != Starting) return;
                m.AddEvent("launch", "failed", "flyd", Now, Options.EventsKept, new MachineEventRequest { Reason = e.Message });
                m.SetState(Failed, Now);
            }
            LogLaunchFailed(m.Id, e.Message);
            return;
        }

        int run;
        lock (m.Sync)
        {
            if (m.State != Starting)
            {
                _ = process.DisposeAsync().AsTask();
                return;
            }
            run = ++m.Run;
            m.Process = process;
            m.AddEvent("start", "started", "flyd", Now, Options.EventsKept);
            m.SetState(Started, Now);
        }
        LogStarted(m.Id, process.Pid);
        _ = process.Exited.ContinueWith(exit => OnExit(m, run, process, exit.Result), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The main process exited on its own: the restart policy decides, then auto_destroy.</summary>
    private void OnExit(EmulatedMachine m, int run, MachineProcess process, ProcessExit exit)
    {
        bool restart, destroy = false;
        lock (m.Sync)
        {
            // Requested stops, restarts, updates and destroys took the run over and record their own exit.
            if (m.Run != run || m.State != Started) return;
            m.Process = null;
            var now = Now;
            m.Restarts.RemoveAll(at => at < now - RestartWindow);
            restart = ShouldRestart(m.Config.Restart, exit, m.Restarts.Count);
            if (restart) m.Restarts.Add(now);
            m.AddEvent("exit", "stopped", "flyd", now, Options.EventsKept, ExitRequest(exit, requestedStop: false, restarting: restart, m.Restarts.Count));
            if (restart) m.SetState(Starting, now);
            else
            {
                m.SetState(Stopped, now);
                destroy = m.Config.AutoDestroy == true;
            }
        }
        LogExited(m.Id, exit.ExitCode, restart);
        _ = process.DisposeAsync().AsTask();
        if (restart)
        {
            InBackground(m, async () =>
            {
                await Task.Delay(RestartBackoff(m), time, shutdown.Token);
                lock (m.Sync)
                {
                    if (m.State != Starting) return;
                    m.AddEvent("start", "starting", "flyd", Now, Options.EventsKept);
                }
                Spawn(m);
            });
            return;
        }
        WipeRootfs(m);
        if (destroy) InBackground(m, () => DestroyAsync(m, force: true, nonce: null, checkLease: false));
    }

    private static bool ShouldRestart(MachineRestart? policy, ProcessExit exit, int recentRestarts) => (policy?.Policy ?? "on-failure") switch
    {
        "no" => false,
        "always" => true,
        _ => exit.ExitCode != 0 && recentRestarts < (policy?.MaxRetries ?? DefaultMaxRetries),
    };

    /// <summary>A process that keeps dying is restarted with growing pauses, so it cannot spin the host.</summary>
    private static TimeSpan RestartBackoff(EmulatedMachine m)
    {
        int count;
        lock (m.Sync) count = m.Restarts.Count;
        return count <= 1 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, count - 2), 5000));
    }

    /// <summary>The stop signal and grace period: the request's, else the machine's stop_config, else SIGINT and 5 s.</summary>
    private static (int Signal, TimeSpan Timeout) StopSignal(EmulatedMachine m, string? requested, TimeSpan? requestedTimeout)
    {
        var name = requested ?? m.Config.StopConfig?.Signal ?? "SIGINT";
        if (!PosixSignals.TryParse(name, out var signal)) throw FlyError.BadRequest($"invalid signal '{name}'");
        var timeout = requestedTimeout ?? m.Config.StopConfig?.Timeout ?? DefaultStopTimeout;
        if (timeout < TimeSpan.Zero || timeout > MachineConfigRules.MaxStopTimeout)
            throw FlyError.BadRequest("timeout must be between 0s and 5m0s");
        return (signal, timeout);
    }

    private static MachineProcess? TakeProcess(EmulatedMachine m)
    {
        var process = m.Process;
        m.Process = null;
        m.Frozen = false;
        m.EndExecs();
        m.Run++;
        m.Launching = false;
        return process;
    }

    private async Task<ProcessExit> StopProcessAsync(MachineProcess process, int signal, TimeSpan timeout)
    {
        var result = await process.StopAsync(signal, timeout, time);
        await process.DisposeAsync();
        return result.Exit;
    }

    private MachineEventRequest ExitRequest(ProcessExit? exit, bool requestedStop, bool restarting, int restartCount) => new()
    {
        RestartCount = restartCount,
        ExitEvent = new ExitEvent
        {
            RequestedStop = requestedStop,
            Restarting = restarting,
            ExitCode = exit?.ExitCode ?? 0,
            GuestExitCode = exit?.ExitCode ?? 0,
            Signal = exit?.Signal ?? -1,
            GuestSignal = exit?.Signal ?? -1,
            OomKilled = false,
            ExitedAt = Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    /// <summary>Like Fly's ephemeral root filesystem: gone on stop, unless a volume keeps the data.</summary>
    private void WipeRootfs(EmulatedMachine m)
    {
        if (m.Config.Mounts is { Count: > 0 }) return;
        DeleteDirectory(m.RootfsDirectory);
    }

    private void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotDeleted(path, e.Message);
        }
    }

    /// <summary>A delay from now, not from when a background task gets to run (the clock may be a test's, moved meanwhile).</summary>
    private Task Delay(TimeSpan delay) => delay > TimeSpan.Zero ? Task.Delay(delay, time, shutdown.Token) : Task.CompletedTask;

    private void InBackground(EmulatedMachine m, Func<Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work();
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogTransitionFailed(e, m.Id);
        }
    });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Machine {MachineId} failed to launch: {Reason}")]
    private partial void LogLaunchFailed(string machineId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Machine {MachineId} started (pid {Pid})")]
    private partial void LogStarted(string machineId, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Machine {MachineId} exited with {ExitCode}; restarting: {Restart}")]
    private partial void LogExited(string machineId, int exitCode, bool restart);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Path}: {Reason}")]
    private partial void LogNotDeleted(string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Machine {MachineId}: background transition failed")]
    private partial void LogTransitionFailed(Exception e, string machineId);

    /// <summary>A generated name no machine of the app has (Fly's are unique): one drawn that is taken is drawn again.</summary>
    private static string UnusedName(EmulatedApp app)
    {
        string name;
        do name = FlyIds.MachineName();
        while (app.Machines.Values.Any(m => m.Name == name));
        return name;
    }
}

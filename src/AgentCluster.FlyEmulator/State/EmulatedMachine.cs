using AgentCluster.Fly.Models;
using AgentCluster.FlyEmulator.Processes;

namespace AgentCluster.FlyEmulator.State;

/// <summary>
/// One machine's state. Every read and write happens under <see cref="Sync"/>; slow work (signals, waiting
/// for a process) happens outside it, and each process run has a number so a late exit of an old run is ignored.
/// </summary>
internal sealed class EmulatedMachine
{
    private readonly LinkedList<MachineEvent> events = new();
    private TaskCompletionSource changed = NewSignal();
    private CancellationTokenSource runEnded = new();

    public Lock Sync { get; } = new();

    public required string Id { get; init; }
    public required string Name { get; init; }
    public required EmulatedApp App { get; init; }
    public required string Region { get; init; }
    public required string PrivateIp { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string MachineDirectory { get; init; }
    public string RootfsDirectory => Path.Combine(MachineDirectory, "rootfs");
    public string LogPath => Path.Combine(MachineDirectory, "machine.log");

    public required MachineConfig Config { get; set; }
    public required string Version { get; set; }
    public required string State { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<MachineVersion> PastVersions { get; } = [];
    public MachineLease? Lease { get; set; }
    public bool Cordoned { get; set; }
    public DateTimeOffset? DestroyedAt { get; set; }

    /// <summary>Created and about to boot: Fly refuses a start in this window (412).</summary>
    public bool Launching { get; set; }

    /// <summary>The running (or suspended) process of the current run, if any.</summary>
    public MachineProcess? Process { get; set; }

    /// <summary>Its process is held by SIGSTOP: suspending, suspended, or resuming until its ResumeDelay is over.</summary>
    public bool Frozen { get; set; }

    /// <summary>Bumped whenever a run starts or is taken over by a requested stop, restart, update or destroy.</summary>
    public int Run { get; set; }

    /// <summary>Cancelled when the current run ends (stop, restart, update, suspend, destroy): the execs running in it end with it.</summary>
    public CancellationToken RunEnded => runEnded.Token;

    /// <summary>Kills the run's execs (off the caller's thread: the caller holds <see cref="Sync"/>), and starts the next run's token.</summary>
    public void EndExecs()
    {
        var ended = runEnded;
        runEnded = new CancellationTokenSource();
        _ = Task.Run(ended.Cancel);
    }

    /// <summary>Times of automatic restarts, for the on-failure policy's 5-minute window.</summary>
    public List<DateTimeOffset> Restarts { get; } = [];

    /// <summary>Completes at the next change of state or events; /wait awaits it.</summary>
    public Task Changed => changed.Task;

    public string? LatestEventId => events.First?.Value.Id;

    public IEnumerable<MachineEvent> Events => events;

    public void SetState(string state, DateTimeOffset now)
    {
        State = state;
        UpdatedAt = now;
        NotifyChanged();
    }

    public MachineEvent AddEvent(string type, string status, string source, DateTimeOffset now, int kept, MachineEventRequest? request = null)
    {
        var e = new MachineEvent
        {
            Id = FlyIds.Ulid(now),
            Type = type,
            Status = status,
            Source = source,
            Timestamp = now.ToUnixTimeMilliseconds(),
            Request = request,
        };
        events.AddFirst(e);
        while (events.Count > kept) events.RemoveLast();
        NotifyChanged();
        return e;
    }

    public MachineLease? ActiveLease(DateTimeOffset now) => Lease is { } lease && lease.ExpiresAt > now ? lease : null;

    public Machine ToMachine(bool summary = false) => new()
    {
        Id = Id,
        Name = Name,
        State = State,
        Region = Region,
        ImageRef = ImageRefs.Parse(Config.Image),
        InstanceId = Version,
        Version = Version,
        PrivateIp = PrivateIp,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        Config = summary ? null : Config,
        Events = summary ? null : events.ToList(),
        Checks = summary ? null : [],
        HostStatus = summary ? null : "ok",
        Cordoned = Cordoned,
    };

    private void NotifyChanged()
    {
        var previous = changed;
        changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

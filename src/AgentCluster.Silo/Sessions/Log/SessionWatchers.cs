using System.Threading.Channels;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Sessions;

/// <summary>
/// The live watchers of one session. Each has a small bounded buffer that publishing never waits on: when a
/// watcher is too slow and its buffer is full, new events are simply not buffered for it. That loses nothing,
/// because a watcher reads the stored log whenever it is behind it (see <see cref="SessionFeed.WatchAsync"/>); the
/// buffer is only the fast path and the wake-up. So no watcher can hold up the agent, the grain or another.
/// </summary>
internal sealed class SessionWatchers
{
    public const int BufferSize = 256;

    // Made with the first watcher: most sessions are never watched while their activation lives.
    private List<Channel<SessionEvent>>? watchers;

    public ChannelReader<SessionEvent> Add()
    {
        var watcher = Channel.CreateBounded<SessionEvent>(new BoundedChannelOptions(BufferSize)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = true,
        });
        (watchers ??= []).Add(watcher);
        return watcher.Reader;
    }

    public void Remove(ChannelReader<SessionEvent> reader) => watchers?.RemoveAll(w => w.Reader == reader);

    public void Publish(IEnumerable<SessionEvent> events)
    {
        if (watchers is null) return;
        foreach (var e in events)
            foreach (var watcher in watchers) watcher.Writer.TryWrite(e);
    }
}

using System.Threading.Channels;
using AgentCluster.Abstractions.Sessions;

namespace AgentCluster.Silo.Grains;

/// <summary>
/// The live watchers of one session, each with its own bounded buffer. Publishing never waits: a watcher
/// too slow to keep up is marked lagged and catches up from the stored log, so no watcher can hold up the
/// agent, the grain or another watcher.
/// </summary>
internal sealed class SessionWatchers
{
    public const int BufferSize = 512;

    private readonly List<Watcher> watchers = [];

    public int Count => watchers.Count;

    public Watcher Add()
    {
        var watcher = new Watcher();
        watchers.Add(watcher);
        return watcher;
    }

    public void Remove(Watcher watcher) => watchers.Remove(watcher);

    public void Publish(IEnumerable<SessionEvent> events)
    {
        foreach (var e in events)
            foreach (var watcher in watchers) watcher.Offer(e);
    }

    internal sealed class Watcher
    {
        private readonly Channel<SessionEvent> buffer = Channel.CreateBounded<SessionEvent>(
            new BoundedChannelOptions(BufferSize) { SingleReader = true, SingleWriter = true });

        /// <summary>Events were dropped for this watcher: it must read the log from where it is.</summary>
        public bool Lagged { get; private set; }

        public void Offer(SessionEvent e)
        {
            if (!Lagged && !buffer.Writer.TryWrite(e)) Lagged = true;
        }

        /// <summary>The next buffered event, or null when the watcher lagged and must re-read the log.</summary>
        public async ValueTask<SessionEvent?> NextAsync(CancellationToken cancellationToken)
        {
            if (buffer.Reader.TryRead(out var ready)) return ready;
            if (Lagged)
            {
                Lagged = false;
                return null;
            }
            return await buffer.Reader.ReadAsync(cancellationToken);
        }
    }
}

namespace AgentCluster.Silo.Machines;

/// <summary>
/// Fly's Create Machine budget for the whole cluster, and who waits for it, in order. Fly allows each app one create
/// a second with bursts of 3 (API-NOTES §8): a token bucket per app (kept a little under Fly's, see <see cref="Burst"/>),
/// so several apps multiply the budget. A create
/// asked for when the budget has room and nobody waits ahead goes at once; otherwise it waits its turn: sessions by
/// arrival, before pool refills (a user waits on a session; nobody waits on a pool). Unlimited (a node told not to
/// keep to Fly's limits, <c>Fly:ClientRateLimits=false</c>), every create goes at once, round the apps.
/// </summary>
public sealed class CreateBudget(IReadOnlyList<string> apps, DateTimeOffset now, bool limited = true)
{
    // Fly's bucket is 3 deep and refills 1 a second on its own clock, from when each create reaches it; this one counts
    // from when a create is granted, a variable moment earlier. So it keeps a margin: one of Fly's 3 left as slack and
    // a tenth slower than Fly's second. A create over Fly's limit draws a 429 and a Retry-After second, in which the
    // next waiter would overtake it.
    public const int Burst = 2;

    public static readonly TimeSpan Refill = TimeSpan.FromSeconds(1.1);

    private readonly Bucket[] buckets = apps.Select(app => new Bucket(app, Burst, now)).ToArray();
    private readonly SortedSet<CreateWaiter> queue = new(CreateWaiter.InTurn);
    private int next; // the app tried first: creates go round the apps

    public int Waiting => queue.Count;

    /// <summary>The app to create in now, or else the waiter's place in the queue (0: next).</summary>
    public CreateTicket Ask(CreateWaiter waiter, DateTimeOffset now)
    {
        if (!queue.Contains(waiter) && !queue.Any(w => CreateWaiter.InTurn.Compare(w, waiter) < 0) && Take(now) is { } app)
            return CreateTicket.Go(app);
        queue.Add(waiter);
        return CreateTicket.Wait(Position(waiter));
    }

    /// <summary>Takes a waiter out of the queue (its session ended, or no longer needs a create).</summary>
    public void Cancel(CreateWaiter waiter) => queue.Remove(waiter);

    /// <summary>The waiters whose turn it is now, each with the app to create in, taken out of the queue.</summary>
    public List<(CreateWaiter Waiter, string App)> Due(DateTimeOffset now)
    {
        var due = new List<(CreateWaiter, string)>();
        while (queue.Count > 0 && Take(now) is { } app)
        {
            var first = queue.Min!;
            queue.Remove(first);
            due.Add((first, app));
        }
        return due;
    }

    /// <summary>When the next create budget frees up while someone waits; null when nobody does.</summary>
    public DateTimeOffset? NextDueAt(DateTimeOffset now) =>
        queue.Count == 0 ? null : buckets.Min(b => b.NextTokenAt(now));

    private int Position(CreateWaiter waiter) => queue.TakeWhile(w => !w.Equals(waiter)).Count();

    private string? Take(DateTimeOffset now)
    {
        for (var i = 0; i < buckets.Length; i++)
        {
            var bucket = buckets[(next + i) % buckets.Length];
            if (limited && !bucket.TryTake(now)) continue;
            next = (next + i + 1) % buckets.Length;
            return bucket.App;
        }
        return null;
    }

    /// <summary>One app's budget: <see cref="Burst"/> tokens, one more each <see cref="Refill"/>.</summary>
    private sealed class Bucket(string app, double tokens, DateTimeOffset at)
    {
        public string App => app;

        public bool TryTake(DateTimeOffset now)
        {
            Top(now);
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }

        public DateTimeOffset NextTokenAt(DateTimeOffset now)
        {
            Top(now);
            return tokens >= 1 ? now : now + Refill * (1 - tokens);
        }

        private void Top(DateTimeOffset now)
        {
            if (now <= at) return;
            tokens = Math.Min(Burst, tokens + (now - at) / Refill);
            at = now;
        }
    }
}

/// <summary>Who waits for a create: a session (by when it was made) or a pool (after every session).</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.CreateWaiter")]
public sealed record CreateWaiter([property: Id(0)] CreateWaiterKind Kind, [property: Id(1)] string Key, [property: Id(2)] DateTimeOffset Since)
{
    public static CreateWaiter Session(string sessionId, DateTimeOffset createdAt) => new(CreateWaiterKind.Session, sessionId, createdAt);

    public static CreateWaiter Pool(string pool) => new(CreateWaiterKind.Pool, pool, DateTimeOffset.MinValue);

    /// <summary>Sessions first, oldest first; then pools. One entry per waiter, whenever it asks.</summary>
    public static readonly IComparer<CreateWaiter> InTurn = Comparer<CreateWaiter>.Create((a, b) =>
        a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind)
        : a.Since != b.Since ? a.Since.CompareTo(b.Since)
        : string.CompareOrdinal(a.Key, b.Key));
}

[GenerateSerializer, Alias("AgentCluster.CreateWaiterKind")]
public enum CreateWaiterKind
{
    Session,
    Pool,
}

/// <summary>The answer to a create asked for: the app to create in now, or the place in the queue.</summary>
[GenerateSerializer, Immutable, Alias("AgentCluster.CreateTicket")]
public sealed record CreateTicket([property: Id(0)] string? App, [property: Id(1)] int Position)
{
    public static CreateTicket Go(string app) => new(app, 0);

    public static CreateTicket Wait(int position) => new(null, position);
}

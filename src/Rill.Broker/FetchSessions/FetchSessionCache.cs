using System.Security.Cryptography;

namespace Rill.Broker.FetchSessions;

/// <summary>
/// The broker's fetch sessions (KIP-227), at most max.incremental.fetch.session.cache.slots of them, with
/// Kafka's eviction rules. A new session takes a free slot; when none is free it may evict (1) the least
/// recently used session if that was unused for more than <see cref="EvictionMs"/>, else (2) the least
/// valuable evictable session if the new one is worth at least as much. Value orders by privileged
/// (follower) first, then partition count, then session id. A consumer's new session can evict only
/// sessions older than <see cref="EvictionMs"/>; a follower's can also evict any consumer session. When
/// nothing can be evicted the fetch is answered without a session (session id 0).
/// </summary>
internal sealed class FetchSessionCache
{
    /// <summary>Kafka's fixed min.incremental.fetch.session.eviction.ms (120 s).</summary>
    public const long EvictionMs = 120_000;

    private readonly object _lock = new();
    private readonly Dictionary<int, FetchSession> _sessions = new();
    private readonly SortedSet<(long LastUsedMs, int Id)> _lastUsed = new();
    private readonly SortedSet<EvictableKey> _evictableByPrivileged = new();
    private readonly SortedSet<EvictableKey> _evictableByAll = new();
    private readonly TimeProvider _time;
    private long _evictions;
    private int _partitions;

    public FetchSessionCache(int maxEntries, TimeProvider time)
    {
        MaxEntries = maxEntries;
        _time = time;
    }

    public int MaxEntries { get; }

    public int Count { get { lock (_lock) { return _sessions.Count; } } }

    /// <summary>Partitions held by all sessions (Kafka's NumIncrementalFetchPartitionsCached).</summary>
    public int PartitionCount { get { lock (_lock) { return _partitions; } } }

    /// <summary>Sessions evicted to make room for new ones (Kafka's IncrementalFetchSessionEvictionsPerSec, as a count).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    internal long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public FetchSession? Get(int id)
    {
        lock (_lock)
        {
            return _sessions.GetValueOrDefault(id);
        }
    }

    public bool Remove(int id)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(id, out FetchSession? session))
            {
                return false;
            }
            RemoveLocked(session);
            return true;
        }
    }

    /// <summary>
    /// Creates a session if there is a free slot or one can be evicted; <paramref name="fill"/> adds its
    /// partitions. Returns the new session, or null when the cache keeps the slots for what it has.
    /// </summary>
    public FetchSession? TryCreate(bool privileged, bool usesTopicIds, int size, Action<FetchSession> fill)
    {
        lock (_lock)
        {
            long now = NowMs;
            if (_sessions.Count >= MaxEntries && !TryEvict(privileged, new EvictableKey(privileged, size, 0), now))
            {
                return null;
            }
            var session = new FetchSession(NewId(), privileged, usesTopicIds, now);
            fill(session);
            _sessions.Add(session.Id, session);
            TouchLocked(session, now);
            return session;
        }
    }

    /// <summary>Records a use of the session and its new partition count (after an incremental request changed it).</summary>
    public void Touch(FetchSession session)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(session.Id, out FetchSession? held) && ReferenceEquals(held, session))
            {
                TouchLocked(session, NowMs);
            }
        }
    }

    private void TouchLocked(FetchSession session, long now)
    {
        _lastUsed.Remove((session.LastUsedMs, session.Id));
        session.LastUsedMs = now;
        _lastUsed.Add((now, session.Id));
        if (session.CachedSize != -1)
        {
            var old = new EvictableKey(session.Privileged, session.CachedSize, session.Id);
            _evictableByPrivileged.Remove(old);
            _evictableByAll.Remove(old);
            _partitions -= session.CachedSize;
        }
        session.CachedSize = session.Count;
        var key = new EvictableKey(session.Privileged, session.CachedSize, session.Id);
        bool old120 = now - session.CreationMs > EvictionMs;
        if (!session.Privileged || old120)
        {
            _evictableByPrivileged.Add(key);
        }
        if (old120)
        {
            _evictableByAll.Add(key);
        }
        _partitions += session.CachedSize;
    }

    private bool TryEvict(bool privileged, EvictableKey key, long now)
    {
        if (_lastUsed.Count == 0)
        {
            return false;
        }
        var (lastUsedMs, lruId) = _lastUsed.Min;
        if (now - lastUsedMs > EvictionMs)
        {
            RemoveLocked(_sessions[lruId]);
            Interlocked.Increment(ref _evictions);
            return true;
        }
        SortedSet<EvictableKey> candidates = privileged ? _evictableByPrivileged : _evictableByAll;
        if (candidates.Count == 0 || key.CompareTo(candidates.Min) < 0)
        {
            return false;
        }
        RemoveLocked(_sessions[candidates.Min.Id]);
        Interlocked.Increment(ref _evictions);
        return true;
    }

    private void RemoveLocked(FetchSession session)
    {
        _sessions.Remove(session.Id);
        _lastUsed.Remove((session.LastUsedMs, session.Id));
        if (session.CachedSize != -1)
        {
            var key = new EvictableKey(session.Privileged, session.CachedSize, session.Id);
            _evictableByPrivileged.Remove(key);
            _evictableByAll.Remove(key);
            _partitions -= session.CachedSize;
            session.CachedSize = -1;
        }
    }

    private int NewId()
    {
        while (true)
        {
            int id = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            if (!_sessions.ContainsKey(id))
            {
                return id;
            }
        }
    }

    /// <summary>How valuable a session is to keep: consumers' before followers', then fewer partitions, then lower id.</summary>
    private readonly record struct EvictableKey(bool Privileged, int Size, int Id) : IComparable<EvictableKey>
    {
        public int CompareTo(EvictableKey other)
        {
            int result = Privileged.CompareTo(other.Privileged);
            if (result == 0)
            {
                result = Size.CompareTo(other.Size);
            }
            return result != 0 ? result : Id.CompareTo(other.Id);
        }
    }
}

namespace Rill.Storage.Epochs;

/// <summary>
/// A partition's leader epochs and the offset each began at (Kafka's LeaderEpochFileCache, KIP-101), kept in the
/// partition directory as <c>leader-epoch-checkpoint</c> and rewritten on every change. The log changes it under its
/// own lock (an append with a new epoch, a truncation, a log start move); readers (OffsetForLeaderEpoch, Fetch's
/// diverging-epoch check) take this cache's lock, and the append path reads <see cref="LatestEpoch"/> without one.
/// </summary>
public sealed class LeaderEpochCache
{
    private readonly string? _path;
    private readonly Action? _beforeWrite;
    private readonly Lock _gate = new();
    private readonly List<EpochEntry> _entries;
    private volatile int _latestEpoch;

    /// <param name="path">The checkpoint file, or null for a cache that is never written (tests).</param>
    /// <param name="beforeWrite">Called before the file is written (the log creates its directory on first use).</param>
    public LeaderEpochCache(string? path, IEnumerable<EpochEntry>? entries = null, Action? beforeWrite = null)
    {
        _path = path;
        _beforeWrite = beforeWrite;
        _entries = entries is null ? [] : [.. entries];
        _latestEpoch = _entries.Count == 0 ? -1 : _entries[^1].Epoch;
    }

    /// <summary>The newest epoch, -1 when there is none.</summary>
    public int LatestEpoch => _latestEpoch;

    /// <summary>A copy of the entries, oldest first.</summary>
    public EpochEntry[] Entries
    {
        get { lock (_gate) return [.. _entries]; }
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>, as Kafka's assign: nothing when
    /// it is already the latest entry; otherwise entries of that epoch or later, or starting at or after that offset,
    /// are replaced. Returns whether the cache changed (and was written).
    /// </summary>
    public bool Assign(int epoch, long startOffset)
    {
        if (epoch < 0 || startOffset < 0) return false;
        lock (_gate)
        {
            if (_entries.Count > 0 && _entries[^1].Epoch == epoch && _entries[^1].StartOffset <= startOffset) return false;
            _entries.RemoveAll(e => e.Epoch >= epoch || e.StartOffset >= startOffset);
            _entries.Add(new EpochEntry(epoch, startOffset));
            ChangedLocked();
            return true;
        }
    }

    /// <summary>
    /// Kafka's endOffsetFor: for the latest epoch, (that epoch, <paramref name="logEndOffset"/>); for an older one, the
    /// largest epoch at or below it and the start offset of the next higher epoch (the requested epoch itself when it
    /// predates every entry); undefined (-1, -1) for -1, for an epoch above the latest, and for an empty cache.
    /// </summary>
    public EpochEndOffset EndOffsetFor(int requestedEpoch, long logEndOffset)
    {
        lock (_gate)
        {
            if (requestedEpoch < 0 || _entries.Count == 0) return EpochEndOffset.Undefined;
            if (requestedEpoch == _entries[^1].Epoch) return new EpochEndOffset(requestedEpoch, logEndOffset);
            int higher = 0; // a loop, not FindIndex with a closure: Fetch v12+ asks this on every read
            while (higher < _entries.Count && _entries[higher].Epoch <= requestedEpoch) higher++;
            if (higher == _entries.Count) return EpochEndOffset.Undefined;
            return higher == 0
                ? new EpochEndOffset(requestedEpoch, _entries[0].StartOffset)
                : new EpochEndOffset(_entries[higher - 1].Epoch, _entries[higher].StartOffset);
        }
    }

    /// <summary>The log was truncated to <paramref name="endOffset"/>: entries starting at or after it go.</summary>
    public bool TruncateFromEnd(long endOffset)
    {
        lock (_gate)
        {
            if (_entries.RemoveAll(e => e.StartOffset >= endOffset) == 0) return false;
            ChangedLocked();
            return true;
        }
    }

    /// <summary>
    /// The log start moved to <paramref name="startOffset"/> (retention, DeleteRecords): entries wholly below it go and
    /// the epoch holding it starts there.
    /// </summary>
    public bool TruncateFromStart(long startOffset)
    {
        lock (_gate)
        {
            int floor = _entries.FindLastIndex(e => e.StartOffset <= startOffset);
            if (floor < 0 || (floor == 0 && _entries[0].StartOffset == startOffset)) return false;
            EpochEntry kept = _entries[floor] with { StartOffset = startOffset };
            _entries.RemoveRange(0, floor + 1);
            _entries.Insert(0, kept);
            ChangedLocked();
            return true;
        }
    }

    /// <summary>Forgets every entry (the log was emptied).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            if (_entries.Count == 0 && (_path is null || !File.Exists(_path))) return;
            _entries.Clear();
            ChangedLocked();
        }
    }

    private void ChangedLocked()
    {
        _latestEpoch = _entries.Count == 0 ? -1 : _entries[^1].Epoch;
        if (_path is null) return;
        _beforeWrite?.Invoke();
        LeaderEpochCheckpointFile.Write(_path, _entries);
    }
}

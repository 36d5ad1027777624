using Rill.Storage.Internal;

namespace Rill.Storage.Segments;

/// <summary>
/// The budget of open segment files (<c>rill.log.max.open.files</c>): every <see cref="SegmentFile"/> opens its
/// descriptor on first use and registers here; when more than <see cref="Capacity"/> are open, the least recently
/// used are closed (a closed file reopens on its next use). A reader or writer in the middle of a call keeps its
/// descriptor alive until the call ends (the handle is reference-counted), so closing never fails an I/O in flight.
/// Use is stamped with a millisecond clock, not a shared counter, so the append and read paths touch no shared
/// cache line; eviction sorts the open files by stamp and closes an eighth of the budget at once.
/// </summary>
internal sealed class SegmentFileCache
{
    private static readonly Lazy<SegmentFileCache> SharedDefault = new(() => new SegmentFileCache(OpenFileLimit.DefaultSegmentBudget()));
    private readonly Lock _gate = new();
    private readonly HashSet<SegmentFile> _open = [];
    private long _evictions;

    /// <param name="dropBehindBytes">rill.log.drop.behind.bytes for the files of this budget (0: off).</param>
    public SegmentFileCache(int capacity, long dropBehindBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        DropBehind = dropBehindBytes > 0 ? new DropBehind(dropBehindBytes) : DropBehind.None;
    }

    /// <summary>How much appended data the files of this budget leave in the page cache (see <see cref="Segments.DropBehind"/>).</summary>
    public DropBehind DropBehind { get; }

    /// <summary>One budget for the process, derived from its open-file limit (logs opened without a log manager's).</summary>
    public static SegmentFileCache Default => SharedDefault.Value;

    /// <summary>How many segment files may be open at once (a soft bound: one in use while being closed stays open until its call ends).</summary>
    public int Capacity { get; }

    /// <summary>Segment files open now.</summary>
    public int OpenCount { get { lock (_gate) return _open.Count; } }

    /// <summary>Files closed to stay within the budget since start.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    internal void OnOpened(SegmentFile file)
    {
        lock (_gate)
        {
            _open.Add(file);
            if (_open.Count > Capacity) EvictLocked(_open.Count - Capacity + Math.Max(1, Capacity / 8), file);
        }
    }

    internal void OnClosed(SegmentFile file)
    {
        lock (_gate) _open.Remove(file);
    }

    /// <summary>
    /// The process ran out of descriptors (EMFILE) opening <paramref name="opening"/>: closes half of the open
    /// segment files (at least one) so the open can be retried. False when there was nothing to close.
    /// </summary>
    internal bool RelievePressure(SegmentFile opening)
    {
        lock (_gate)
        {
            int count = _open.Count - (_open.Contains(opening) ? 1 : 0);
            if (count <= 0) return false;
            EvictLocked(Math.Max(1, count / 2), opening);
            return true;
        }
    }

    private void EvictLocked(int howMany, SegmentFile keep)
    {
        SegmentFile[] candidates = new SegmentFile[_open.Count];
        _open.CopyTo(candidates);
        long[] stamps = new long[candidates.Length];
        for (int i = 0; i < candidates.Length; i++) stamps[i] = candidates[i] == keep ? long.MaxValue : candidates[i].LastUse;
        Array.Sort(stamps, candidates);
        for (int i = 0; i < candidates.Length && howMany > 0; i++)
        {
            if (candidates[i] == keep) continue;
            candidates[i].Evict();
            _open.Remove(candidates[i]);
            _evictions++;
            howMany--;
        }
    }
}

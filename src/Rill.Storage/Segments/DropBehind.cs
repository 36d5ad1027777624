using Microsoft.Win32.SafeHandles;
using Rill.Storage.Internal;

namespace Rill.Storage.Segments;

/// <summary>
/// <c>rill.log.drop.behind.bytes</c>: how much newly appended log data (all partitions of a log directory together)
/// stays in the page cache. Every <see cref="Step"/> bytes appended to a segment, its writeback starts
/// (<c>sync_file_range</c>, no wait) and the range joins a queue in append order; while the queue holds more than
/// the budget, the oldest range's pages are dropped from the cache (<c>POSIX_FADV_DONTNEED</c>, which leaves pages
/// still dirty or under writeback). The page-cache memory the append path writes into is then a ring the kernel
/// hands back at once, instead of memory never touched before. A consumer further behind than the budget reads
/// from disk. 0 turns it off: every appended page stays cached until the kernel reclaims it, as in Kafka. The default
/// (-1) is 256 MiB on a virtual machine with free page reporting, where that memory costs most, and off elsewhere.
/// docs/dev/storage.md "Page cache".
/// </summary>
internal sealed class DropBehind
{
    /// <summary>rill.log.drop.behind.bytes's default: the budget where free page reporting is on (-1 resolves to it there).</summary>
    public const long DefaultBudget = 256L << 20;

    /// <summary>
    /// The budget for a configured value: itself when 0 or more; for -1 (the default), <see cref="DefaultBudget"/> on a
    /// virtual machine whose freed memory goes back to its hypervisor (<see cref="FreePageReporting"/>), else 0.
    /// </summary>
    public static long Resolve(long configured, bool freePageReporting) =>
        configured >= 0 ? configured : freePageReporting ? DefaultBudget : 0;

    /// <summary>A segment's writeback starts every this many appended bytes (and its range is queued).</summary>
    public const long Step = 1 << 20;

    private readonly Lock _gate = new();
    private readonly Queue<Written> _queue = new();
    private long _queued;
    private long _dropped;
    private volatile bool _off;

    public DropBehind(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        Budget = budgetBytes;
        _off = budgetBytes == 0 || !PageCacheAdvice.Supported;
    }

    /// <summary>Off: never configured, no such calls here, or the file system refused one.</summary>
    public static DropBehind None { get; } = new(0);

    /// <summary>Bytes of appended data left in the cache before the oldest are dropped.</summary>
    public long Budget { get; }

    /// <summary>Whether appends start writeback and drop pages.</summary>
    public bool Enabled => !_off;

    /// <summary>Bytes dropped from the cache since start.</summary>
    public long DroppedBytes => Interlocked.Read(ref _dropped);

    /// <summary>
    /// After an append to <paramref name="file"/> (through <paramref name="handle"/>) that ended at
    /// <paramref name="end"/>: when the segment holds <see cref="Step"/> or more bytes past
    /// <paramref name="mark"/>, starts their writeback, queues them and moves the mark; then drops the oldest
    /// queued ranges beyond the budget. Called under the partition's lock; allocates nothing.
    /// </summary>
    public void OnAppended(SegmentFile file, SafeFileHandle handle, ref long mark, long end)
    {
        if (_off || end - mark < Step) return;
        long start = mark;
        mark = end;
        if (!PageCacheAdvice.StartWriteback(handle, start, end - start))
        {
            _off = true; // a file system without it: stay out of the way from now on
            return;
        }
        lock (_gate)
        {
            _queue.Enqueue(new Written(file, start, end - start));
            _queued += end - start;
        }
        while (TryTakeOverBudget(out Written oldest))
        {
            if (oldest.File == file)
            {
                Drop(handle, oldest);
            }
            else if (oldest.File.TryAcquireOpen(out SegmentFile.Lease lease))
            {
                // A closed descriptor (the open-file budget, a deleted segment) leaves its pages to the kernel.
                using (lease) Drop(lease.Handle, oldest);
            }
        }
    }

    private bool TryTakeOverBudget(out Written oldest)
    {
        lock (_gate)
        {
            if (_queued > Budget && _queue.TryDequeue(out oldest))
            {
                _queued -= oldest.Length;
                return true;
            }
        }
        oldest = default;
        return false;
    }

    private void Drop(SafeFileHandle handle, Written range)
    {
        // Whole pages: the kernel keeps a page the range only partly covers, and a range ends mid-page (at a batch).
        // The page shared with the next range may still be dirty; then it stays, as any page not yet written back.
        long page = Environment.SystemPageSize;
        long from = range.Start / page * page;
        long to = (range.Start + range.Length + page - 1) / page * page;
        if (!PageCacheAdvice.Drop(handle, from, to - from)) return;
        Interlocked.Add(ref _dropped, range.Length);
        StorageMeters.PageCacheDropped.Add(range.Length);
    }

    private readonly record struct Written(SegmentFile File, long Start, long Length);
}

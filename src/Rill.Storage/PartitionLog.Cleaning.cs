using System.Buffers;
using Rill.Protocol.Records;
using Rill.Storage.Cleaning;
using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    private long _cleanerCheckpoint;
    private long _nextTombstoneExpiryMs = long.MaxValue;

    /// <summary>
    /// First offset the cleaner has not compacted yet (Kafka's cleaner-offset-checkpoint entry): records below it
    /// hold at most one record per key among themselves.
    /// </summary>
    public long CleanerCheckpoint => Volatile.Read(ref _cleanerCheckpoint);

    /// <summary>
    /// Whether the log cleaner should compact this log now and how dirty it is: cleanup.policy includes compact,
    /// there are inactive segments past min.compaction.lag.ms, and either the dirty share of the cleanable bytes
    /// reaches min.cleanable.dirty.ratio, a dirty record is older than max.compaction.lag.ms, or a kept tombstone
    /// has reached delete.retention.ms.
    /// </summary>
    public bool IsCleanable(long nowMs, out double dirtyRatio)
    {
        dirtyRatio = 0;
        LogConfig config = Config;
        if (!config.Compact || _closed)
        {
            return false;
        }
        LogSegment[] segments = _segments;
        CleanableRange range = GetCleanableRange(segments, config, nowMs);
        if (range.FirstUncleanable <= segments[0].BaseOffset)
        {
            return false;
        }
        long clean = 0, dirty = 0;
        foreach (LogSegment s in segments)
        {
            if (s.BaseOffset >= range.FirstUncleanable) break;
            if (s.BaseOffset >= range.FirstDirtySegmentBase) dirty += s.Size;
            else clean += s.Size;
        }
        dirtyRatio = clean + dirty == 0 ? 0 : (double)dirty / (clean + dirty);
        bool overdue = dirty > 0 && config.MaxCompactionLagMs != long.MaxValue
            && segments.First(s => s.BaseOffset >= range.FirstDirtySegmentBase).FirstBatchTimestamp() is >= 0 and var first
            && nowMs - first > config.MaxCompactionLagMs;
        bool tombstonesDue = Volatile.Read(ref _nextTombstoneExpiryMs) <= nowMs;
        return (dirty > 0 && dirtyRatio >= config.MinCleanableDirtyRatio) || overdue || tombstonesDue;
    }

    private readonly record struct CleanableRange(long FirstDirtySegmentBase, long FirstUncleanable);

    /// <summary>
    /// The dirty part starts at the segment holding the cleaner checkpoint; nothing at or after the active segment,
    /// the segment holding the last stable offset, or the first segment holding a record younger than
    /// min.compaction.lag.ms, is cleanable.
    /// </summary>
    private CleanableRange GetCleanableRange(LogSegment[] segments, LogConfig config, long nowMs)
    {
        long firstDirty = Math.Max(CleanerCheckpoint, LogStartOffset);
        if (firstDirty > LogEndOffset) firstDirty = LogStartOffset; // the log was truncated below the checkpoint
        long firstUncleanable = segments[^1].BaseOffset;
        long lastStable = LastStableOffset;
        if (lastStable < LogEndOffset)
        {
            // As Kafka: nothing from the segment holding the first unstable offset on, so an open transaction's data
            // is never cleaned before its marker is in the log.
            firstUncleanable = Math.Min(firstUncleanable, segments[FindSegmentIndex(segments, lastStable)].BaseOffset);
        }
        long dirtyBase = segments[FindSegmentIndex(segments, firstDirty)].BaseOffset;
        if (config.MinCompactionLagMs > 0)
        {
            foreach (LogSegment s in segments)
            {
                if (s.BaseOffset < dirtyBase || s.BaseOffset >= firstUncleanable) continue;
                if (s.MaxTimestampSoFar > nowMs - config.MinCompactionLagMs)
                {
                    firstUncleanable = s.BaseOffset;
                    break;
                }
            }
        }
        return new CleanableRange(Math.Min(dirtyBase, firstUncleanable), firstUncleanable);
    }

    /// <summary>
    /// Compacts the cleanable part of the log: maps each key of the dirty part to its latest offset, then rewrites
    /// every inactive segment below the mapped range, in groups of at most segment.bytes, keeping only records no
    /// later record supersedes (and tombstones until delete.retention.ms). Each group is written to
    /// <c>&lt;base&gt;.log.cleaned</c>, fsynced, renamed to <c>.swap</c> and only then put in place of its sources,
    /// so a crash at any point leaves either the old segments or the new one (see the swap recovery in Load).
    /// Runs on the cleaner's thread: reads take no lock; appends go on meanwhile; only each swap takes the lock.
    /// </summary>
    internal CleanerStats Clean(OffsetMap map, BatchFilter filter, long nowMs, CancellationToken cancel)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        LogConfig config = Config;
        LogSegment[] segments = _segments;
        CleanableRange range = GetCleanableRange(segments, config, nowMs);
        long mapEnd = BuildOffsetMap(map, filter, segments, range,
            new CleanedTransactions(CollectAbortedTxns(segments, range.FirstDirtySegmentBase, range.FirstUncleanable)), cancel);

        Dictionary<long, long> producerLast;
        lock (_lock)
        {
            ThrowIfClosed();
            producerLast = _producers.LastOffsets();
        }
        var pass = new CleaningPass(map, nowMs, config.DeleteRetentionMs, producerLast,
            new CleanedTransactions(CollectAbortedTxns(segments, segments[0].BaseOffset, mapEnd)));
        long bytesRead = 0, bytesWritten = 0;
        int cleaned = 0;
        bool complete = true;
        foreach (LogSegment[] group in GroupForCleaning(segments, mapEnd, config))
        {
            cancel.ThrowIfCancellationRequested();
            long read = group.Sum(s => s.Size);
            long written = CleanGroup(group, filter, pass, nowMs);
            if (written < 0)
            {
                complete = false; // the log changed under us (retention, truncation): try again next time
                break;
            }
            bytesRead += read;
            bytesWritten += written;
            cleaned += group.Length;
        }
        if (complete)
        {
            Volatile.Write(ref _cleanerCheckpoint, Math.Max(CleanerCheckpoint, mapEnd));
            Volatile.Write(ref _nextTombstoneExpiryMs, pass.NextTombstoneExpiryMs);
        }
        return new CleanerStats
        {
            Log = Path.GetFileName(Directory),
            BytesRead = bytesRead,
            BytesWritten = bytesWritten,
            RecordsRead = pass.RecordsRead,
            RecordsKept = pass.RecordsKept,
            TombstonesDropped = pass.TombstonesDropped,
            AbortedRecordsDropped = pass.AbortedRecordsDropped,
            MarkersDropped = pass.MarkersDropped,
            SegmentsCleaned = cleaned,
            FirstDirtyOffset = range.FirstDirtySegmentBase,
            CleanedUpTo = complete ? mapEnd : CleanerCheckpoint,
            Elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started),
        };
    }

    /// <summary>
    /// Fills <paramref name="map"/> from the dirty segments, stopping at a segment boundary once the map is full;
    /// returns the offset up to which the map is complete (the base of the first segment not mapped).
    /// </summary>
    private static long BuildOffsetMap(OffsetMap map, BatchFilter filter, LogSegment[] segments, CleanableRange range,
        CleanedTransactions transactions, CancellationToken cancel)
    {
        map.Clear();
        foreach (LogSegment s in segments)
        {
            if (s.BaseOffset < range.FirstDirtySegmentBase) continue;
            if (s.BaseOffset >= range.FirstUncleanable) return range.FirstUncleanable;
            if (map.IsFull && s.BaseOffset > range.FirstDirtySegmentBase) return s.BaseOffset;
            cancel.ThrowIfCancellationRequested();
            ForEachBatch(s, batch => filter.MapKeys(batch, map, transactions));
        }
        return range.FirstUncleanable;
    }

    /// <summary>The aborted transactions with data in [<paramref name="start"/>, <paramref name="upperBound"/>), from the .txnindex.</summary>
    private static List<AbortedTxn> CollectAbortedTxns(LogSegment[] segments, long start, long upperBound)
    {
        List<AbortedTxn>? found = null;
        for (int i = FindSegmentIndex(segments, start); i < segments.Length; i++)
        {
            if (segments[i].TxnIndex.Collect(start, upperBound, ref found)) break;
        }
        return found ?? [];
    }

    /// <summary>Consecutive segments below <paramref name="end"/>, grouped so each group fits in one segment.</summary>
    private static IEnumerable<LogSegment[]> GroupForCleaning(LogSegment[] segments, long end, LogConfig config)
    {
        var group = new List<LogSegment>();
        long size = 0;
        foreach (LogSegment s in segments)
        {
            if (s.BaseOffset >= end) break;
            bool fits = group.Count == 0
                || (size + s.Size <= config.SegmentBytes && s.EndOffset - 1 - group[0].BaseOffset <= int.MaxValue);
            if (!fits)
            {
                yield return group.ToArray();
                group.Clear();
                size = 0;
            }
            group.Add(s);
            size += s.Size;
        }
        if (group.Count > 0) yield return group.ToArray();
    }

    /// <summary>Reads each whole batch of a segment's committed bytes into a pooled buffer.</summary>
    private static void ForEachBatch(LogSegment segment, BatchAction action)
    {
        long limit = segment.Size;
        long pos = 0;
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (segment.TryReadHeader(pos, header, limit))
            {
                int total = Batch.CheckHeader(header, limit - pos, int.MaxValue);
                if (total < 0) break;
                if (buffer.Length < total)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(total);
                }
                Span<byte> batch = buffer.AsSpan(0, total);
                if (segment.ReadAt(batch, pos) != total) break;
                action(batch);
                pos += total;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private delegate void BatchAction(ReadOnlySpan<byte> batch);
}

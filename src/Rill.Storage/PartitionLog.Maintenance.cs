using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Removes every batch holding an offset at or above <paramref name="offset"/> (a batch straddling it goes
    /// whole, so the new log end offset is that batch's base offset). Below the log start offset the log is
    /// emptied and restarts at <paramref name="offset"/>. Producer state is rebuilt to match.
    /// </summary>
    /// <returns>The new log end offset.</returns>
    public long TruncateTo(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            ThrowIfClosed();
            if (offset >= LogEndOffset) return LogEndOffset;
            LogSegment[] segments = _segments;
            if (offset <= segments[0].BaseOffset || offset < LogStartOffset)
            {
                ResetToEmptyLocked(offset);
            }
            else
            {
                int keep = segments.Length;
                while (keep > 1 && segments[keep - 1].BaseOffset >= offset) keep--;
                for (int i = segments.Length - 1; i >= keep; i--) segments[i].DeleteFiles();
                if (keep != segments.Length) _segments = segments[..keep];
                LogSegment last = _segments[^1];
                long pos = last.FindBatchPosition(offset, last.Size, out _);
                if (pos >= 0) last.TruncateTo(pos);
                Volatile.Write(ref _logEndOffset, last.EndOffset);
            }
            _truncations++;
            if (RecoveryPoint > LogEndOffset) Volatile.Write(ref _recoveryPoint, LogEndOffset);
            _epochs.TruncateFromEnd(LogEndOffset);
            _epochs.TruncateFromStart(LogStartOffset);
            Internal.DirectorySync.Flush(Directory);
            RebuildProducerState();
            return LogEndOffset;
        }
    }

    /// <summary>
    /// Moves the log start offset forward (DeleteRecords, retention) and deletes the segments wholly below it.
    /// False, changing nothing, when <paramref name="offset"/> is past the high watermark.
    /// </summary>
    public bool AdvanceLogStartOffset(long offset)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (offset > HighWatermark) return false;
            if (offset <= LogStartOffset) return true;
            Volatile.Write(ref _logStartOffset, offset);
            LogSegment[] segments = _segments;
            int drop = 0;
            while (drop < segments.Length - 1 && segments[drop + 1].BaseOffset <= offset) drop++;
            DropOldest(drop);
            _epochs.TruncateFromStart(offset);
            OnLogStartOffsetIncrementedLocked();
            return true;
        }
    }

    /// <summary>
    /// Deletes segments from the oldest on while <paramref name="shouldDelete"/> says so, never the active segment
    /// (call <see cref="Roll"/> first to let retention remove it). The log start offset moves to the base offset of
    /// the first segment kept. Returns the number of segments deleted.
    /// </summary>
    public int DeleteOldestSegments(Func<LogSegmentInfo, bool> shouldDelete)
    {
        ArgumentNullException.ThrowIfNull(shouldDelete);
        lock (_lock)
        {
            ThrowIfClosed();
            LogSegment[] segments = _segments;
            int drop = 0;
            while (drop < segments.Length - 1)
            {
                LogSegment s = segments[drop];
                if (!shouldDelete(new LogSegmentInfo(s.BaseOffset, s.EndOffset, s.Size, s.MaxTimestampSoFar, false))) break;
                drop++;
            }
            if (drop == 0) return 0;
            long newStart = Math.Max(LogStartOffset, segments[drop].BaseOffset);
            Volatile.Write(ref _logStartOffset, newStart);
            DropOldest(drop);
            _epochs.TruncateFromStart(newStart);
            OnLogStartOffsetIncrementedLocked();
            return drop;
        }
    }

    /// <summary>
    /// Kafka's retention for cleanup.policy=delete: deletes, from the oldest, the segments whose
    /// newest record is older than retention.ms, then as many as keep the log within
    /// retention.bytes. When every record is past retention.ms the active segment is rolled first
    /// so it can go too (the log end offset stays). The log start offset moves to the first offset
    /// kept; readers below it get OFFSET_OUT_OF_RANGE. Returns the number of segments deleted.
    /// </summary>
    public int ApplyRetention()
    {
        LogConfig config = Config;
        if (!config.DeleteRetention)
        {
            return 0;
        }
        int deleted = 0;
        if (config.RetentionMs >= 0)
        {
            long cutoff = NowMs - config.RetentionMs;
            lock (_lock)
            {
                ThrowIfClosed();
                LogSegment active = Active;
                if (active.Size > 0 && active.MaxTimestampSoFar < cutoff && _segments.All(seg => seg.MaxTimestampSoFar < cutoff))
                {
                    RollLocked(NowMs); // everything expired: the active segment goes too
                }
            }
            deleted += DeleteOldestSegments(seg => seg.MaxTimestamp < cutoff && seg.SizeInBytes > 0);
        }
        if (config.RetentionBytes >= 0)
        {
            long excess = GetSegments().Sum(seg => seg.SizeInBytes) - config.RetentionBytes;
            deleted += DeleteOldestSegments(seg =>
            {
                if (excess - seg.SizeInBytes < 0)
                {
                    return false;
                }
                excess -= seg.SizeInBytes;
                return true;
            });
        }
        return deleted;
    }

    private void DropOldest(int count)
    {
        if (count <= 0) return;
        LogSegment[] segments = _segments;
        _segments = segments[count..];
        for (int i = 0; i < count; i++)
        {
            LogSegment s = segments[i];
            s.LogFile.Pin(); // renamed below: a reader still holding the segment must not reopen it by its old name
            // As Kafka: the files are renamed *.deleted now (a restart removes them) and removed, with the handle a
            // reader may still hold, file.delete.delay.ms later (DeleteDueSegments, on the log manager's tick).
            string[] renamed =
            [
                MarkDeleted(LogFileNames.LogFile(Directory, s.BaseOffset)),
                MarkDeleted(LogFileNames.IndexFile(Directory, s.BaseOffset)),
                MarkDeleted(LogFileNames.TimeIndexFile(Directory, s.BaseOffset)),
                MarkDeleted(LogFileNames.TxnIndexFile(Directory, s.BaseOffset)),
            ];
            ScheduleDelete(s, renamed);
        }
        DeleteDueSegmentsLocked();
    }

    /// <summary>Renames <paramref name="path"/> to <c>path.deleted</c> when it exists; returns the new name.</summary>
    private static string MarkDeleted(string path)
    {
        string target = path + LogFileNames.DeletedSuffix;
        if (File.Exists(path)) File.Move(path, target, overwrite: true);
        return target;
    }

    /// <summary>Closes <paramref name="segment"/> and removes <paramref name="files"/> once file.delete.delay.ms has passed.</summary>
    private void ScheduleDelete(LogSegment segment, string[] files) =>
        _pendingDeletes.Add(new PendingDelete(segment, files, SaturatingAdd(NowMs, Config.FileDeleteDelayMs)));

    /// <summary>
    /// Closes and removes the segments retention, DeleteRecords or the cleaner dropped whose file.delete.delay.ms has
    /// passed (by the log's <see cref="TimeProvider"/>). Returns how many went. The log manager calls it on its tick.
    /// </summary>
    public int DeleteDueSegments()
    {
        if (_pendingDeletes.Count == 0) return 0; // unlocked read, as FlushIfDue: a stale value waits for the next tick
        lock (_lock)
        {
            return DeleteDueSegmentsLocked();
        }
    }

    private int DeleteDueSegmentsLocked()
    {
        if (_pendingDeletes.Count == 0) return 0;
        long now = NowMs;
        int removed = 0;
        for (int i = _pendingDeletes.Count - 1; i >= 0; i--)
        {
            PendingDelete pending = _pendingDeletes[i];
            if (pending.DueMs > now && !_closed) continue;
            pending.Segment.Dispose();
            foreach (string file in pending.Files) File.Delete(file);
            _pendingDeletes.RemoveAt(i);
            removed++;
        }
        return removed;
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;

    private readonly record struct PendingDelete(LogSegment Segment, string[] Files, long DueMs);
}

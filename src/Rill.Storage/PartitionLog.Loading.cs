using Rill.Protocol.Records;
using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    private const int SnapshotsKept = 3;

    private void Load(LogOpenOptions options)
    {
        InitFiles(options);
        if (!_dir.Exists)
        {
            CreateEmpty(options);
            return;
        }
        string marker = Path.Combine(Directory, LogFileNames.CleanShutdownFile);
        bool clean = options.LogDirectoryClean || File.Exists(marker);
        long now = NowMs;
        CompleteInterruptedSwaps();

        var bases = new List<long>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal)
                || name.EndsWith(".swap", StringComparison.Ordinal) || name.EndsWith(".cleaned", StringComparison.Ordinal))
            {
                File.Delete(path);
            }
            else if (LogFileNames.TryParseOffset(name, LogFileNames.LogSuffix, out long baseOffset))
            {
                bases.Add(baseOffset);
            }
        }
        bases.Sort();
        DeleteOrphanIndexes(bases);

        var segments = new List<LogSegment>(Math.Max(1, bases.Count));
        foreach (long b in bases) segments.Add(LogSegment.Open(_dir, b, Config, now, _files));
        if (segments.Count == 0)
        {
            segments.Add(OpenSegment(Math.Max(0, options.LogStartOffset ?? 0), now));
            clean = true;
        }

        OpenedAfterCleanShutdown = clean;
        var recovered = new List<LogSegment>();
        for (int i = 0; i < segments.Count; i++)
        {
            LogSegment seg = segments[i];
            bool last = i == segments.Count - 1;
            long next = last ? -1 : segments[i + 1].BaseOffset;
            bool mustRecover = !clean && (last || next > options.RecoveryPoint);
            long cut = 0;
            if (mustRecover || !seg.TryLoadClean(last, next))
            {
                cut = seg.Recover(int.MaxValue);
                recovered.Add(seg);
            }
            if (cut > 0 && !last)
            {
                // Everything after a torn or corrupt batch is gone: later segments cannot follow on.
                for (int j = segments.Count - 1; j > i; j--)
                {
                    segments[j].DeleteFiles();
                    segments.RemoveAt(j);
                }
                break;
            }
        }
        foreach (LogSegment seg in recovered) seg.Flush();

        _segments = segments.ToArray();
        LogSegment active = _segments[^1];
        _logEndOffset = Math.Max(active.EndOffset, active.BaseOffset);
        long start = Math.Max(options.LogStartOffset ?? 0, _segments[0].BaseOffset);
        _logStartOffset = Math.Min(start, _logEndOffset);
        _recoveryPoint = _logEndOffset;
        _cleanerCheckpoint = Math.Min(Math.Max(options.CleanerCheckpoint ?? 0, _logStartOffset), _logEndOffset);
        _lastFlushMs = now;
        RebuildProducerState();
        LoadEpochs(recovered.Count == 0 ? long.MaxValue : recovered.Min(s => s.BaseOffset), options.HighWatermark);
        if (options.ProducerIdExpirationMs is { } producerIdExpirationMs)
        {
            _producers.RemoveExpired(NowMs, producerIdExpirationMs);
        }
        OnLogStartOffsetIncrementedLocked();

        if (File.Exists(marker))
        {
            File.Delete(marker);
            DirectorySync.Flush(Directory);
        }
    }

    /// <summary>
    /// A new partition: an empty log in memory only. No directory, no file, no descriptor and no fsync: the first write
    /// (the first append, a leader-epoch checkpoint) creates the directory and the first segment's file, and the first
    /// fsync of the log syncs the directory and its parent too. So creating a topic of many partitions costs no file
    /// system work per partition; the topic's metadata, not a directory, says the partition exists, and opening a
    /// missing directory gives this empty log again (a crash before any write loses nothing).
    /// </summary>
    private void CreateEmpty(LogOpenOptions options)
    {
        long baseOffset = Math.Max(0, options.LogStartOffset ?? 0);
        _segments = [LogSegment.CreateNew(_dir, baseOffset, Config, NowMs, _files)];
        OpenedAfterCleanShutdown = true;
        _logEndOffset = baseOffset;
        _logStartOffset = baseOffset;
        _recoveryPoint = baseOffset;
        _cleanerCheckpoint = baseOffset;
        _lastFlushMs = NowMs;
        _producers.Clear();
        LoadEpochs(long.MaxValue, options.HighWatermark); // no file yet: an empty cache that writes its checkpoint once a leader epoch begins
        UpdateLastStableOffsetLocked();
        OnLogStartOffsetIncrementedLocked();
    }

    private void DeleteOrphanIndexes(List<long> bases)
    {
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            string name = Path.GetFileName(path);
            if ((LogFileNames.TryParseOffset(name, LogFileNames.IndexSuffix, out long b)
                 || LogFileNames.TryParseOffset(name, LogFileNames.TimeIndexSuffix, out b)
                 || LogFileNames.TryParseOffset(name, LogFileNames.TxnIndexSuffix, out b))
                && bases.BinarySearch(b) < 0)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Sorted offsets of the producer snapshot files in the directory.</summary>
    private List<long> ListSnapshots()
    {
        var offsets = new List<long>();
        if (!_dir.Exists) return offsets;
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + LogFileNames.SnapshotSuffix))
        {
            if (LogFileNames.TryParseOffset(Path.GetFileName(path), LogFileNames.SnapshotSuffix, out long o)) offsets.Add(o);
        }
        offsets.Sort();
        return offsets;
    }

    /// <summary>
    /// Rebuilds idempotent producer state: loads the newest readable snapshot at or below the log end offset
    /// (snapshots above it are stale after a truncation and are deleted), then replays the batches after it.
    /// </summary>
    private void RebuildProducerState()
    {
        _producers.Clear();
        long leo = LogEndOffset;
        long from = _segments[0].BaseOffset;
        List<long> snapshots = ListSnapshots();
        for (int i = snapshots.Count - 1; i >= 0; i--)
        {
            long offset = snapshots[i];
            string path = LogFileNames.SnapshotFile(Directory, offset);
            if (offset > leo || offset < _segments[0].BaseOffset)
            {
                File.Delete(path);
                continue;
            }
            if (_producers.TryLoadSnapshot(path))
            {
                from = offset;
                break;
            }
            File.Delete(path);
        }
        // The .txnindex entries from the snapshot on are rebuilt with the producer state (they may be missing or
        // stale after a crash or a truncation); those below it were flushed when their segment rolled.
        foreach (LogSegment seg in _segments) seg.TxnIndex.TruncateTo(from);
        ReplayProducerBatches(from, leo);
        foreach (LogSegment seg in _segments) seg.FlushTxnIndex();
        UpdateLastStableOffsetLocked();
    }

    private void ReplayProducerBatches(long from, long to)
    {
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        byte[]? control = null;
        try
        {
            foreach (LogSegment seg in _segments)
            {
                if (seg.EndOffset <= from) continue;
                long limit = seg.Size;
                long pos = from > seg.BaseOffset ? seg.FindBatchPosition(from, limit, out _) : 0;
                if (pos < 0) continue;
                while (seg.TryReadHeader(pos, header, limit))
                {
                    int total = Batch.TotalSize(header);
                    if (total < RecordBatchLayout.HeaderSize) break;
                    long baseOffset = Batch.BaseOffset(header);
                    if (baseOffset >= to) return;
                    if (baseOffset >= from)
                    {
                        ReadOnlySpan<byte> batch = header;
                        if (Batch.IsControl(header) && Batch.ProducerId(header) >= 0 && pos + total <= limit)
                        {
                            // A marker's type and coordinator epoch are in its record: read the (small) batch whole.
                            if (control is null || control.Length < total)
                            {
                                if (control is not null) System.Buffers.ArrayPool<byte>.Shared.Return(control);
                                control = System.Buffers.ArrayPool<byte>.Shared.Rent(total);
                            }
                            if (seg.ReadAt(control.AsSpan(0, total), pos) == total) batch = control.AsSpan(0, total);
                        }
                        if (_producers.ApplyBatch(batch) is { } aborted) seg.TxnIndex.Append(aborted);
                    }
                    pos += total;
                }
            }
        }
        finally
        {
            if (control is not null) System.Buffers.ArrayPool<byte>.Shared.Return(control);
        }
    }

    /// <summary>Writes the producer state as <c>&lt;offset&gt;.snapshot</c> and keeps only the newest few.</summary>
    private void WriteProducerSnapshot(long offset)
    {
        _producers.WriteSnapshot(LogFileNames.SnapshotFile(Directory, offset));
        List<long> snapshots = ListSnapshots();
        for (int i = 0; i < snapshots.Count - SnapshotsKept; i++)
        {
            File.Delete(LogFileNames.SnapshotFile(Directory, snapshots[i]));
        }
    }
}

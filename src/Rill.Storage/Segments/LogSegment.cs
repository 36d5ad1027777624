using System.Buffers;
using Rill.Protocol.Records;
using Rill.Storage.Internal;

namespace Rill.Storage.Segments;

/// <summary>
/// One segment: <c>&lt;base&gt;.log</c> plus its offset and time indexes. Written by one thread under the
/// partition's lock; read concurrently. <see cref="Size"/> is the committed size: bytes of whole batches whose
/// append has completed, published after the write so readers never see a half-written batch.
/// </summary>
internal sealed partial class LogSegment : IDisposable
{
    private readonly string _dir;
    private readonly SegmentFile _file;
    private readonly PartitionDirectory _directory;
    private bool _unsynced;
    private long _size;
    private long _writebackMark; // appended bytes below it have had their writeback started (DropBehind)
    private int _bytesSinceLastIndexEntry;
    private long _endOffset;

    private LogSegment(PartitionDirectory directory, long baseOffset, LogConfig config, long createdMs, SegmentFileCache files, bool isNew,
        bool create)
    {
        string dir = directory.Path;
        _dir = dir;
        _directory = directory;
        BaseOffset = baseOffset;
        Config = config;
        CreatedMs = createdMs;
        IndexFilesExisted = !isNew && File.Exists(LogFileNames.IndexFile(dir, baseOffset))
            && File.Exists(LogFileNames.TimeIndexFile(dir, baseOffset));
        _file = new SegmentFile(LogFileNames.LogFile(dir, baseOffset), directory, files, create || isNew,
            preallocateBytes: config.Preallocate ? config.SegmentBytes : 0);
        Index = new OffsetIndex(LogFileNames.IndexFile(dir, baseOffset), baseOffset, config.SegmentIndexBytes);
        TimeIndex = new TimeIndex(LogFileNames.TimeIndexFile(dir, baseOffset), baseOffset, config.SegmentIndexBytes);
        TxnIndex = isNew ? new TransactionIndex() : TransactionIndex.Load(LogFileNames.TxnIndexFile(dir, baseOffset));
        _size = isNew ? 0 : _file.Length();
        _writebackMark = _size;
        _endOffset = baseOffset;
    }

    public long BaseOffset { get; }
    public LogConfig Config { get; set; }
    public long CreatedMs { get; }
    public OffsetIndex Index { get; }
    public TimeIndex TimeIndex { get; }

    /// <summary>
    /// The aborted transactions whose abort marker lies in this segment (<c>.txnindex</c>). Written by the partition
    /// log (append, rebuild), which alone knows where each transaction started; flushed with the segment.
    /// </summary>
    public TransactionIndex TxnIndex { get; }
    /// <summary>The .log file, opened on use and closed when the process keeps too many open (see <see cref="SegmentFile"/>).</summary>
    public SegmentFile LogFile => _file;

    /// <summary>Reads from the .log at <paramref name="position"/> until <paramref name="buffer"/> is full or the file ends.</summary>
    public int ReadAt(Span<byte> buffer, long position)
    {
        using SegmentFile.Lease lease = _file.Acquire();
        return FileIo.ReadFully(lease.Handle, buffer, position);
    }

    /// <summary>Whether both index files were there when the segment was opened (else they must be rebuilt).</summary>
    public bool IndexFilesExisted { get; }

    /// <summary>Committed size in bytes.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>Next offset after the last batch of this segment (BaseOffset when empty).</summary>
    public long EndOffset { get => Volatile.Read(ref _endOffset); set => Volatile.Write(ref _endOffset, value); }

    /// <summary>Largest batch MaxTimestamp seen in this segment, -1 if none.</summary>
    public long MaxTimestampSoFar { get; private set; } = -1;

    /// <summary>Last offset of the batch holding <see cref="MaxTimestampSoFar"/>.</summary>
    public long OffsetOfMaxTimestampSoFar { get; private set; } = -1;

    /// <summary>MaxTimestamp of the first batch (segment.ms is measured from it); -1 if unknown or empty.</summary>
    private long _firstBatchTimestamp = long.MinValue;

    /// <summary>
    /// A segment whose .log exists (opened lazily: no descriptor until first used), or, with
    /// <paramref name="create"/>, may not exist yet and is created by the first open.
    /// </summary>
    public static LogSegment Open(PartitionDirectory directory, long baseOffset, LogConfig config, long createdMs, SegmentFileCache files,
        bool create = false)
        => new(directory, baseOffset, config, createdMs, files, isNew: false, create);

    /// <summary>The first segment of a new log: nothing on disk yet; the first write creates the directory and the file.</summary>
    public static LogSegment CreateNew(PartitionDirectory directory, long baseOffset, LogConfig config, long createdMs, SegmentFileCache files)
        => new(directory, baseOffset, config, createdMs, files, isNew: true, create: true);

    public long FirstBatchTimestamp()
    {
        if (_firstBatchTimestamp != long.MinValue) return _firstBatchTimestamp;
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        _firstBatchTimestamp = Size >= RecordBatchLayout.HeaderSize && ReadAt(header, 0) == header.Length
            ? Batch.MaxTimestamp(header)
            : -1;
        return _firstBatchTimestamp;
    }

    /// <summary>
    /// Writes already offset-assigned batches at the end of the segment (one write syscall) and indexes them.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches)
    {
        long start = _size;
        using (SegmentFile.Lease lease = _file.Acquire())
        {
            RandomAccess.Write(lease.Handle, batches, start);
            _file.DropBehind.OnAppended(_file, lease.Handle, ref _writebackMark, start + batches.Length);
        }
        _unsynced = true;
        if (start == 0) _firstBatchTimestamp = Batch.MaxTimestamp(batches);

        // Indexes and EndOffset first, the committed size last: a reader that sees the new bytes
        // (bounded by Size) then also sees an EndOffset covering them, so a consumer fetching the
        // offset after what it just read is never told it is past the end of the log.
        int pos = 0;
        long end = _endOffset;
        while (pos < batches.Length)
        {
            ReadOnlySpan<byte> b = batches[pos..];
            int total = Batch.TotalSize(b);
            long last = Batch.LastOffset(b);
            OnBatch(Batch.MaxTimestamp(b), last, (int)(start + pos), total);
            end = last + 1;
            pos += total;
        }
        EndOffset = end;
        Volatile.Write(ref _size, start + batches.Length);
    }

    /// <summary>Index bookkeeping for one batch at <paramref name="position"/> (as Kafka's LogSegment.append).</summary>
    private void OnBatch(long maxTimestamp, long lastOffset, int position, int size)
    {
        if (maxTimestamp > MaxTimestampSoFar)
        {
            MaxTimestampSoFar = maxTimestamp;
            OffsetOfMaxTimestampSoFar = lastOffset;
        }
        if (_bytesSinceLastIndexEntry > Config.IndexIntervalBytes)
        {
            Index.Append(lastOffset, position);
            TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar);
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += size;
    }

    /// <summary>Whether an append of <paramref name="size"/> bytes must go to a new segment (Kafka's shouldRoll).</summary>
    public bool ShouldRoll(int size, long maxTimestampInMessages, long lastOffsetInMessages, long nowMs)
    {
        long current = _size;
        if (current == 0) return false;
        if (current > (long)Config.SegmentBytes - size) return true;
        long first = FirstBatchTimestamp();
        long waited = first >= 0 ? maxTimestampInMessages - first : nowMs - CreatedMs;
        if (waited > Config.EffectiveSegmentMs) return true;
        if (Index.IsFull || TimeIndex.IsFull) return true;
        return lastOffsetInMessages - BaseOffset > int.MaxValue;
    }

    /// <summary>Writes the final time index entry, as Kafka does when a segment stops being the active one.</summary>
    public void OnBecomeInactive()
    {
        if (MaxTimestampSoFar >= 0) TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar, skipFullCheck: true);
        if ((Config.Preallocate || _file.Preallocated) && _file.Exists)
        {
            // preallocate: give back the reserved blocks past the data (also those of a segment created before a
            // crash, or before the topic turned preallocate off). A truncation to the current length releases them.
            using SegmentFile.Lease lease = _file.Acquire();
            RandomAccess.SetLength(lease.Handle, Size);
        }
    }

    /// <summary>fsync of the log and both indexes.</summary>
    public void Flush()
    {
        if (_unsynced)
        {
            // An fsync through a reopened descriptor also syncs what was written through one the cache closed.
            using (SegmentFile.Lease lease = _file.Acquire())
            {
                Durability.FlushFile(lease.Handle);
            }
            _unsynced = false;
        }
        else
        {
            _directory.EnsureCreated(); // the index files below are written next to the .log
        }
        _directory.SyncIfCreated();
        Index.Flush();
        TimeIndex.Flush();
        FlushTxnIndex();
    }

    /// <summary>Writes the .txnindex entries not yet on disk (none for a segment without aborted transactions: no file).</summary>
    public void FlushTxnIndex()
    {
        string path = LogFileNames.TxnIndexFile(_dir, BaseOffset);
        if (TxnIndex.Entries.Count > 0 || File.Exists(path)) TxnIndex.Flush(path);
    }

    /// <summary>Reads the first <paramref name="header"/>.Length bytes of the batch at <paramref name="position"/>, within the committed size.</summary>
    public bool TryReadHeader(long position, Span<byte> header, long limit)
    {
        if (position + header.Length > limit) return false;
        return ReadAt(header, position) == header.Length;
    }

    /// <summary>
    /// Position and base offset of the batch holding <paramref name="offset"/> (the first batch whose last offset is
    /// at least it), within the committed bytes; -1 if no such batch is in this segment.
    /// </summary>
    public long FindBatchPosition(long offset, long limit, out long batchBaseOffset)
    {
        const int headerLength = RecordBatchLayout.LastOffsetDelta + 4;
        var reader = new BatchHeaderReader(this, stackalloc byte[BatchHeaderReader.BlockSize]);
        long pos = Index.LookupPosition(offset);
        while (reader.TryRead(pos, headerLength, limit, out ReadOnlySpan<byte> header))
        {
            int total = Batch.TotalSize(header);
            if (total < RecordBatchLayout.HeaderSize) break;
            if (Batch.LastOffset(header) >= offset)
            {
                batchBaseOffset = Batch.BaseOffset(header);
                return pos;
            }
            pos += total;
        }
        batchBaseOffset = -1;
        return -1;
    }

    /// <summary>
    /// Bytes of whole batches starting at <paramref name="start"/> that fit in <paramref name="maxBytes"/>; with
    /// <paramref name="minOneBatch"/> at least the first batch even when it is larger (KIP-74).
    /// </summary>
    public int FetchLength(long start, int maxBytes, bool minOneBatch, long limit)
    {
        long available = limit - start;
        if (available <= 0) return 0;
        if (available <= maxBytes) return (int)available;

        var reader = new BatchHeaderReader(this, stackalloc byte[BatchHeaderReader.BlockSize]);
        long upper = start + Math.Max(0, maxBytes);
        long boundary = Index.LookupBoundaryAtMost(start, upper);
        long pos = boundary > 0 ? boundary : start;
        scoped ReadOnlySpan<byte> header;
        while (reader.TryRead(pos, RecordBatchLayout.LogOverhead, limit, out header))
        {
            int total = Batch.TotalSize(header);
            if (total < RecordBatchLayout.HeaderSize || pos + total > upper) break;
            pos += total;
        }
        int length = (int)(pos - start);
        if (length == 0 && minOneBatch && reader.TryRead(start, RecordBatchLayout.LogOverhead, limit, out header))
        {
            length = (int)Math.Min(Batch.TotalSize(header), available);
        }
        return length;
    }

    /// <summary>Cuts the log file at <paramref name="position"/> (a batch boundary) and rebuilds the indexes.</summary>
    public void TruncateTo(long position)
    {
        using (SegmentFile.Lease lease = _file.Acquire())
        {
            RandomAccess.SetLength(lease.Handle, position);
        }
        _unsynced = true;
        Volatile.Write(ref _size, position);
        _writebackMark = Math.Min(_writebackMark, position);
        Recover(Config.MaxMessageBytes);
    }

    public void Dispose()
    {
        _file.Dispose();
        Index.Dispose();
        TimeIndex.Dispose();
    }

    /// <summary>Closes and removes the segment's files. On Unix the handle could stay readable, but we close it.</summary>
    public void DeleteFiles()
    {
        Dispose();
        if (!_directory.Exists) return; // a new log's segment that was never written has no files
        File.Delete(LogFileNames.LogFile(_dir, BaseOffset));
        File.Delete(LogFileNames.IndexFile(_dir, BaseOffset));
        File.Delete(LogFileNames.TimeIndexFile(_dir, BaseOffset));
        File.Delete(LogFileNames.TxnIndexFile(_dir, BaseOffset));
    }

    private static byte[] Rent(int size) => ArrayPool<byte>.Shared.Rent(size);
    private static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}

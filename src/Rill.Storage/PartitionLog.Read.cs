using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Locates the batches to return for a fetch at <paramref name="fetchOffset"/>: starting with the whole batch
    /// holding it, as many whole batches of that segment as fit in <paramref name="maxBytes"/>; with
    /// <paramref name="minOneBatch"/> (KIP-74) at least the first batch even if it is larger. Lock-free and
    /// allocation-free; sees only completed appends.
    /// </summary>
    public LogReadResult Read(long fetchOffset, int maxBytes, bool minOneBatch)
        => Read(fetchOffset, maxBytes, minOneBatch, long.MaxValue);

    /// <summary>
    /// As <see cref="Read(long, int, bool)"/>, returning only batches that start below <paramref name="maxOffset"/>
    /// (a batch boundary, such as the <see cref="LastStableOffset"/> for a read_committed fetch). A fetch at or past
    /// it, up to the log end, is an empty read.
    /// </summary>
    public LogReadResult Read(long fetchOffset, int maxBytes, bool minOneBatch, long maxOffset)
    {
        LogSegment[] segments = _segments;
        long leo = VisibleEndOffset(segments);
        long logStart = LogStartOffset;
        if (fetchOffset < logStart || fetchOffset > leo)
        {
            return new LogReadResult(ErrorCode.OffsetOutOfRange, leo, logStart, null, 0, 0, -1);
        }
        if (fetchOffset == leo || fetchOffset >= maxOffset) return new LogReadResult(ErrorCode.None, leo, logStart, null, 0, 0, -1);

        for (int i = FindSegmentIndex(segments, fetchOffset); i < segments.Length; i++)
        {
            LogSegment seg = segments[i];
            long limit = seg.Size;
            long position = seg.FindBatchPosition(fetchOffset, limit, out long batchBase);
            if (position < 0) continue;
            if (maxOffset < seg.EndOffset)
            {
                // Stop at the batch holding maxOffset: only what starts below it is returned.
                if (batchBase >= maxOffset) break;
                long end = seg.FindBatchPosition(maxOffset, limit, out _);
                if (end >= 0) limit = end;
            }
            int length = seg.FetchLength(position, maxBytes, minOneBatch, limit);
            // Read after the bytes: the high watermark reported covers every batch returned.
            return new LogReadResult(ErrorCode.None, VisibleEndOffset(_segments), logStart, seg, position, length, batchBase);
        }
        return new LogReadResult(ErrorCode.None, leo, logStart, null, 0, 0, -1);
    }

    /// <summary>
    /// The end of what readers can see. An append publishes the active segment's EndOffset, then its size (which
    /// makes the bytes readable), then the log end offset; a reader that has seen bytes must not find the log
    /// shorter than them, so the active segment's EndOffset counts too.
    /// </summary>
    private long VisibleEndOffset(LogSegment[] segments) => Math.Max(LogEndOffset, segments[^1].EndOffset);

    /// <summary>Index of the last segment whose base offset is at most <paramref name="offset"/> (0 if none).</summary>
    private static int FindSegmentIndex(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (segments[mid].BaseOffset <= offset) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }

    /// <summary>
    /// ListOffsets by timestamp: the first offset at or after the log start whose record timestamp is at least
    /// <paramref name="timestamp"/>, with that record's timestamp. Batches are found by MaxTimestamp through the time
    /// index; inside an uncompressed batch the records are walked to find the exact record. For a compressed batch
    /// the batch's first offset (at or after the log start) and its MaxTimestamp are returned instead (records are
    /// not decompressed here). <see cref="TimestampOffset.None"/> when no record is that recent.
    /// </summary>
    public TimestampOffset FindOffsetByTimestamp(long timestamp)
    {
        LogSegment[] segments = _segments;
        long logStart = LogStartOffset;
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        foreach (LogSegment seg in segments)
        {
            if (seg.EndOffset <= logStart || seg.MaxTimestampSoFar < timestamp) continue;
            long limit = seg.Size;
            long startOffset = Math.Max(seg.TimeIndex.LookupStartOffset(timestamp), logStart);
            long pos = seg.FindBatchPosition(startOffset, limit, out _);
            if (pos < 0) continue;
            while (seg.TryReadHeader(pos, header, limit))
            {
                int total = Batch.TotalSize(header);
                if (total < RecordBatchLayout.HeaderSize) break;
                if (Batch.MaxTimestamp(header) >= timestamp && Batch.LastOffset(header) >= logStart)
                {
                    TimestampOffset found = FindRecordInBatch(seg, pos, total, header, logStart, timestamp, exact: false);
                    if (found.Found) return found;
                }
                pos += total;
            }
        }
        return TimestampOffset.None;
    }

    /// <summary>
    /// ListOffsets MAX_TIMESTAMP (KIP-734): the record with the largest timestamp (the first one if several) and
    /// its offset. Compressed batches answer with their first offset. None on an empty log.
    /// </summary>
    public TimestampOffset FindMaxTimestamp()
    {
        LogSegment[] segments = _segments;
        long logStart = LogStartOffset;
        LogSegment? best = null;
        foreach (LogSegment seg in segments)
        {
            if (seg.EndOffset <= logStart) continue;
            if (best is null || seg.MaxTimestampSoFar > best.MaxTimestampSoFar) best = seg;
        }
        if (best is null || best.MaxTimestampSoFar < 0) return TimestampOffset.None;

        long maxTs = best.MaxTimestampSoFar;
        long limit = best.Size;
        long pos = best.FindBatchPosition(Math.Max(best.OffsetOfMaxTimestampSoFar, logStart), limit, out _);
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        if (pos >= 0 && best.TryReadHeader(pos, header, limit) && Batch.MaxTimestamp(header) == maxTs)
        {
            TimestampOffset found = FindRecordInBatch(best, pos, Batch.TotalSize(header), header, logStart, maxTs, exact: true);
            if (found.Found) return found;
        }
        return new TimestampOffset(maxTs, Math.Max(best.OffsetOfMaxTimestampSoFar, logStart));
    }

    /// <summary>
    /// The first record of the batch at <paramref name="pos"/> with offset at least <paramref name="minOffset"/> and
    /// timestamp at least (or, with <paramref name="exact"/>, equal to) <paramref name="timestamp"/>.
    /// </summary>
    private static TimestampOffset FindRecordInBatch(LogSegment seg, long pos, int total, ReadOnlySpan<byte> header,
        long minOffset, long timestamp, bool exact)
    {
        long baseOffset = Batch.BaseOffset(header);
        long maxTs = Batch.MaxTimestamp(header);
        if (Batch.IsLogAppendTime(header) || Batch.IsCompressed(header))
        {
            // Every record of a LogAppendTime batch carries the batch's time; compressed records are not walked.
            return new TimestampOffset(maxTs, Math.Max(baseOffset, minOffset));
        }
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(total);
        try
        {
            Span<byte> batch = buffer.AsSpan(0, total);
            if (seg.ReadAt(batch, pos) != total) return TimestampOffset.None;
            long baseTs = Batch.BaseTimestamp(batch);
            int count = Batch.RecordCount(batch);
            int p = RecordBatchLayout.HeaderSize;
            for (int i = 0; i < count && p < total; i++)
            {
                if (!RecordReader.TryReadVarint(batch, ref p, out long length)) break;
                int recordEnd = p + (int)length;
                p++; // attributes
                if (!RecordReader.TryReadVarint(batch, ref p, out long tsDelta)
                    || !RecordReader.TryReadVarint(batch, ref p, out long offsetDelta))
                {
                    break;
                }
                long ts = baseTs + tsDelta;
                long offset = baseOffset + offsetDelta;
                if (offset >= minOffset && (exact ? ts == timestamp : ts >= timestamp)) return new TimestampOffset(ts, offset);
                p = recordEnd;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return TimestampOffset.None;
    }
}

using Rill.Protocol;
using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// A follower's append: batches fetched from the partition leader keep the offsets (and leader epochs) the
    /// leader gave them. Batches wholly below the log end offset are skipped (a repeated fetch); a gap above it is
    /// CORRUPT_MESSAGE (the follower must truncate or refetch). Producer state follows the batches, so a follower
    /// that becomes leader still recognises duplicates. Returns the new log end offset in LastOffset + 1.
    /// </summary>
    public AppendResult AppendAsFollower(ReadOnlySpan<byte> batches)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            long logStart = LogStartOffset;
            long leo = LogEndOffset;
            int pos = 0;
            // Skip what this log already holds.
            while (pos < batches.Length)
            {
                ReadOnlySpan<byte> b = batches[pos..];
                int total = Batch.CheckHeader(b, b.Length, int.MaxValue);
                if (total < 0) break; // a partial batch at the end of a fetch: ignore it
                if (Batch.LastOffset(b) >= leo) break;
                pos += total;
            }
            int start = pos;
            int end = pos;
            long next = leo;
            long maxTimestamp = -1;
            long records = 0;
            while (end < batches.Length)
            {
                ReadOnlySpan<byte> b = batches[end..];
                int total = Batch.CheckHeader(b, b.Length, int.MaxValue);
                if (total < 0) break;
                if (Batch.BaseOffset(b) != next)
                {
                    return AppendResult.Failed(ErrorCode.CorruptMessage, logStart);
                }
                maxTimestamp = Math.Max(maxTimestamp, Batch.MaxTimestamp(b));
                records += Math.Max(1, Batch.RecordCount(b));
                next = Batch.LastOffset(b) + 1;
                end += total;
            }
            if (end == start)
            {
                return new AppendResult(ErrorCode.None, leo, leo - 1, -1, logStart, IsDuplicate: true);
            }
            ReadOnlySpan<byte> slice = batches[start..end];
            long now = NowMs;
            LogSegment segment = Active;
            if (segment.ShouldRoll(slice.Length, maxTimestamp, next - 1, now)) segment = RollLocked(now);
            segment.Append(slice);
            int p = 0;
            while (p < slice.Length)
            {
                ReadOnlySpan<byte> b = slice[p..];
                int total = Batch.TotalSize(b);
                if (_producers.ApplyBatch(b[..total]) is { } aborted) segment.TxnIndex.Append(aborted);
                AssignEpochOf(b);
                p += total;
            }
            Volatile.Write(ref _logEndOffset, next);
            UpdateLastStableOffsetLocked();
            _unflushedMessages += records;
            if (_unflushedMessages >= Config.FlushIntervalMessages || now - _lastFlushMs >= Config.FlushIntervalMs)
            {
                FlushLocked(now);
            }
            return new AppendResult(ErrorCode.None, leo, next - 1, -1, logStart, IsDuplicate: false);
        }
    }
}

using Rill.Protocol.Records;
using Rill.Storage.Internal;

namespace Rill.Storage.Segments;

internal sealed partial class LogSegment
{
    /// <summary>
    /// Scans the whole .log, trusting nothing: each batch must have a sane length, be wholly present, carry magic 2,
    /// a correct CRC32C and offsets that grow. The file is cut at the first batch that fails, and both indexes are
    /// rebuilt from the batches kept. Returns the number of bytes cut off (0 when the segment was intact).
    /// </summary>
    public long Recover(int maxBatchSize)
    {
        Index.Reset();
        TimeIndex.Reset();
        MaxTimestampSoFar = -1;
        OffsetOfMaxTimestampSoFar = -1;
        _bytesSinceLastIndexEntry = 0;
        _firstBatchTimestamp = long.MinValue;

        using SegmentFile.Lease lease = _file.Acquire();
        long fileLength = RandomAccess.GetLength(lease.Handle);
        long pos = 0;
        long next = BaseOffset;
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        byte[] buffer = Rent(64 * 1024);
        try
        {
            while (pos + RecordBatchLayout.HeaderSize <= fileLength)
            {
                if (FileIo.ReadFully(lease.Handle, header, pos) != header.Length) break;
                int total = Batch.CheckHeader(header, fileLength - pos, maxBatchSize);
                if (total < 0) break;
                long baseOffset = Batch.BaseOffset(header);
                long last = Batch.LastOffset(header);
                if (baseOffset < next || last - BaseOffset > int.MaxValue || pos + total > int.MaxValue) break;
                if (buffer.Length < total)
                {
                    Return(buffer);
                    buffer = Rent(total);
                }
                Span<byte> whole = buffer.AsSpan(0, total);
                if (FileIo.ReadFully(lease.Handle, whole, pos) != total || !Batch.CrcMatches(whole)) break;
                OnBatch(Batch.MaxTimestamp(header), last, (int)pos, total);
                next = last + 1;
                pos += total;
            }
        }
        finally
        {
            Return(buffer);
        }

        long cut = fileLength - pos;
        if (cut > 0) RandomAccess.SetLength(lease.Handle, pos);
        _unsynced = true; // what the last process wrote may still be only in the page cache
        Volatile.Write(ref _size, pos);
        _writebackMark = Math.Min(_writebackMark, pos);
        EndOffset = next;
        return cut;
    }

    /// <summary>
    /// Loads the indexes of a segment after a clean shutdown and checks them against the log. For the active
    /// segment, walks the batches after the last index entry to find the end offset. False when something does not
    /// add up: the caller then runs <see cref="Recover"/>.
    /// </summary>
    public bool TryLoadClean(bool isActive, long nextSegmentBase)
    {
        long size = Size;
        if (!IndexFilesExisted || !Index.TryLoad(size)) return false;
        long end = nextSegmentBase;
        long scannedMax = -1, scannedMaxOffset = -1;
        if (isActive)
        {
            Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
            long pos = Index.LastPosition;
            end = BaseOffset;
            int sinceEntry = 0;
            while (pos < size)
            {
                if (!TryReadHeader(pos, header, size)) return false;
                int total = Batch.CheckHeader(header, size - pos, int.MaxValue);
                if (total < 0) return false;
                long last = Batch.LastOffset(header);
                if (last < end) return false;
                long maxTs = Batch.MaxTimestamp(header);
                if (maxTs > scannedMax) { scannedMax = maxTs; scannedMaxOffset = last; }
                end = last + 1;
                sinceEntry += total;
                pos += total;
            }
            if (pos != size) return false;
            _bytesSinceLastIndexEntry = sinceEntry;
        }
        if (!TimeIndex.TryLoad(end)) return false;
        // A segment that stopped being active (rolled, or closed cleanly) always ends its time index with its max
        // timestamp; an empty time index for a non-empty segment means the entry is missing.
        if (size > 0 && TimeIndex.Count == 0 && (!isActive || scannedMax >= 0)) return false;
        MaxTimestampSoFar = TimeIndex.LastTimestamp;
        OffsetOfMaxTimestampSoFar = TimeIndex.LastOffset;
        if (scannedMax > MaxTimestampSoFar)
        {
            MaxTimestampSoFar = scannedMax;
            OffsetOfMaxTimestampSoFar = scannedMaxOffset;
        }
        EndOffset = end;
        return true;
    }
}

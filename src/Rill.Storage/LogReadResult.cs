using Rill.Protocol;
using Rill.Storage.Segments;

namespace Rill.Storage;

/// <summary>
/// Where the answer to a fetch lies: <see cref="Length"/> bytes of whole batches at <see cref="FilePosition"/> in
/// one segment file, starting with the batch that holds the fetch offset. Copy them out with <see cref="CopyTo"/>
/// (one pread, no allocation). <see cref="Error"/> is
/// OFFSET_OUT_OF_RANGE for an offset below the log start or past the log end; a fetch at the log end offset is
/// no error and has length 0.
/// </summary>
public readonly struct LogReadResult
{
    private readonly LogSegment? _segment;

    internal LogReadResult(ErrorCode error, long highWatermark, long logStartOffset, LogSegment? segment,
        long filePosition, int length, long firstBatchOffset)
    {
        Error = error;
        HighWatermark = highWatermark;
        LogStartOffset = logStartOffset;
        _segment = segment;
        FilePosition = filePosition;
        Length = length;
        FirstBatchOffset = firstBatchOffset;
    }

    public ErrorCode Error { get; }
    public long HighWatermark { get; }
    public long LogStartOffset { get; }
    /// <summary>Position of the first batch in the segment file.</summary>
    public long FilePosition { get; }
    /// <summary>Bytes of whole batches to return (0 when nothing).</summary>
    public int Length { get; }
    /// <summary>Base offset of the first batch returned (-1 when nothing); may be below the fetch offset.</summary>
    public long FirstBatchOffset { get; }

    /// <summary>
    /// Copies the batches into <paramref name="destination"/> (at most its length); returns the bytes copied.
    /// Throws <see cref="ObjectDisposedException"/> if the segment was deleted in between (retention, truncation).
    /// </summary>
    public int CopyTo(Span<byte> destination)
    {
        if (_segment is null || Length == 0) return 0;
        Span<byte> target = destination.Length > Length ? destination[..Length] : destination;
        return _segment.ReadAt(target, FilePosition);
    }

    /// <summary>
    /// Copies the batches into a buffer rented from <paramref name="buffers"/> and returns the bytes copied; empty
    /// when there is nothing to read or the segment was deleted (retention, truncation) between locating and copying.
    /// </summary>
    public ReadOnlyMemory<byte> CopyTo(IReadBufferSource buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        if (_segment is null || Length == 0) return ReadOnlyMemory<byte>.Empty;
        byte[] buffer = buffers.RentReadBuffer(Length);
        try
        {
            return buffer.AsMemory(0, CopyTo(buffer));
        }
        catch (ObjectDisposedException)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
    }
}

namespace Rill.Storage.Segments;

/// <summary>
/// Reads the headers of consecutive batches of a segment through one block of the file, instead of one read per
/// header: a fetch finds its batch by scanning forward from the sparse index entry (up to
/// <c>index.interval.bytes</c>, 4 KiB, of batches), which for small batches was a 27-byte read each, up to a
/// couple of dozen system calls per fetch.
/// </summary>
internal ref struct BatchHeaderReader
{
    /// <summary>The index interval (4 KiB) plus room for a batch header: one read covers a usual scan.</summary>
    public const int BlockSize = 4096 + 64;

    private readonly LogSegment _segment;
    private readonly Span<byte> _block;
    private long _start;
    private int _length;

    public BatchHeaderReader(LogSegment segment, Span<byte> block)
    {
        _segment = segment;
        _block = block;
        _start = -1;
        _length = 0;
    }

    /// <summary>
    /// The first <paramref name="headerLength"/> bytes of the batch at <paramref name="position"/>, when they lie
    /// within <paramref name="limit"/> (the committed size) and the file; false otherwise.
    /// </summary>
    public bool TryRead(long position, int headerLength, long limit, out ReadOnlySpan<byte> header)
    {
        header = default;
        if (position + headerLength > limit) return false;
        if (_start < 0 || position < _start || position + headerLength > _start + _length)
        {
            int want = (int)Math.Min(_block.Length, limit - position);
            _length = _segment.ReadAt(_block[..want], position);
            _start = position;
            if (_length < headerLength)
            {
                _start = -1;
                return false;
            }
        }
        header = _block.Slice((int)(position - _start), headerLength);
        return true;
    }
}

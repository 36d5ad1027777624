using System.Buffers.Binary;

namespace Rill.Storage.Segments;

/// <summary>
/// The .timeindex file of a segment: entries of (8-byte timestamp, 4-byte relative offset), big-endian. Entry
/// (t, o) says: every batch up to and including the one holding offset o has a max timestamp of at most t.
/// Timestamps only grow (an entry is appended only when the segment's max timestamp grew).
/// </summary>
internal sealed class TimeIndex : IDisposable
{
    public const int EntrySize = 12;

    private readonly string _path;
    private readonly long _baseOffset;
    private readonly int _maxEntries;
    private int _written;
    private Entry[] _entries = new Entry[16];
    private volatile int _count;

    private readonly record struct Entry(long Timestamp, int RelativeOffset);

    public TimeIndex(string path, long baseOffset, int maxIndexBytes)
    {
        _path = path;
        _baseOffset = baseOffset;
        _maxEntries = Math.Max(1, maxIndexBytes / EntrySize);
    }

    public int Count => _count;
    /// <summary>Full, keeping one slot for the entry written when the segment stops being active.</summary>
    public bool IsFull => _count >= _maxEntries - 1;
    public long LastTimestamp { get { int c = _count; return c == 0 ? -1 : _entries[c - 1].Timestamp; } }
    public long LastOffset { get { int c = _count; return c == 0 ? -1 : _baseOffset + _entries[c - 1].RelativeOffset; } }

    /// <summary>Appends (timestamp, offset) when the timestamp is larger than the last one.</summary>
    public void MaybeAppend(long timestamp, long offset, bool skipFullCheck = false)
    {
        int c = _count;
        if (timestamp < 0 || (!skipFullCheck && IsFull) || c >= _maxEntries) return;
        if (c > 0 && timestamp <= _entries[c - 1].Timestamp) return;
        var entry = new Entry(timestamp, (int)(offset - _baseOffset));
        Store(c, entry);
    }

    private void Store(int c, Entry entry)
    {
        if (c == _entries.Length)
        {
            var grown = new Entry[Math.Min(Math.Max(16, c * 2), Math.Max(_maxEntries, 16))];
            Array.Copy(_entries, grown, c);
            _entries = grown;
        }
        _entries[c] = entry;
        _count = c + 1;
    }

    /// <summary>
    /// Offset of the last entry whose timestamp is strictly below <paramref name="timestamp"/>: every batch
    /// before the one holding it is older than the target, so a scan may start there. The base offset if none.
    /// </summary>
    public long LookupStartOffset(long timestamp)
    {
        int c = _count;
        Entry[] e = _entries;
        int lo = 0, hi = c - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (e[mid].Timestamp < timestamp) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? _baseOffset : _baseOffset + e[found].RelativeOffset;
    }

    public void Reset()
    {
        _count = 0;
        _written = 0;
        IndexFile.Truncate(_path, 0);
    }

    /// <summary>
    /// Loads and checks the file: size a multiple of 12, timestamps and offsets never decreasing, offsets inside
    /// [base, endOffset). False (left empty) when it must be rebuilt.
    /// </summary>
    public bool TryLoad(long endOffset)
    {
        _count = 0;
        _written = 0;
        byte[]? bytes = IndexFile.ReadAll(_path, (long)_maxEntries * EntrySize);
        if (bytes is null || bytes.Length % EntrySize != 0) return false;
        int n = bytes.Length / EntrySize;
        if (n == 0) return true;
        long prevTs = long.MinValue;
        int prevRel = -1;
        for (int i = 0; i < n; i++)
        {
            long ts = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * EntrySize));
            int rel = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 8));
            if (ts < prevTs || rel < prevRel || rel < 0 || _baseOffset + rel >= endOffset)
            {
                _count = 0;
                return false;
            }
            Store(i, new Entry(ts, rel));
            prevTs = ts;
            prevRel = rel;
        }
        _written = n;
        return true;
    }

    /// <summary>Writes the entries not yet in the file (creating it) and fsyncs it; see <see cref="IndexFile"/>.</summary>
    public void Flush() => _written = IndexFile.FlushPending(_path, _entries, _written, _count, EntrySize, WriteEntry);

    private static void WriteEntry(in Entry e, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, e.Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], e.RelativeOffset);
    }

    public void DeleteFile() => File.Delete(_path);

    /// <summary>Nothing to close: the file is opened only while it is written or read.</summary>
    public void Dispose()
    {
    }
}

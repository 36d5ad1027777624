using System.Buffers.Binary;

namespace Rill.Storage.Segments;

/// <summary>
/// The .index file of a segment: entries of (4-byte offset relative to the segment base, 4-byte file position),
/// big-endian as Kafka writes them. Entry i says: the batch starting at Position holds offsets up to
/// BaseOffset + RelativeOffset. Entries are kept in memory for lookups and written to the file when the segment is
/// flushed (<see cref="IndexFile"/>); readers may look up concurrently with the single writer (the count is
/// published last).
/// </summary>
internal sealed class OffsetIndex : IDisposable
{
    public const int EntrySize = 8;

    private readonly string _path;
    private readonly long _baseOffset;
    private readonly int _maxEntries;
    private int _written;
    private Entry[] _entries = new Entry[16];
    private volatile int _count;

    private readonly record struct Entry(int RelativeOffset, int Position);

    public OffsetIndex(string path, long baseOffset, int maxIndexBytes)
    {
        _path = path;
        _baseOffset = baseOffset;
        _maxEntries = Math.Max(1, maxIndexBytes / EntrySize);
    }

    public int Count => _count;
    public bool IsFull => _count >= _maxEntries;
    public string FilePath => _path;

    /// <summary>Position of the last entry, or 0 when empty.</summary>
    public int LastPosition { get { int c = _count; return c == 0 ? 0 : _entries[c - 1].Position; } }

    public void Append(long offset, int position)
    {
        int c = _count;
        if (c >= _maxEntries) return;
        var entry = new Entry((int)(offset - _baseOffset), position);
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

    /// <summary>File position of the last entry whose offset is at most <paramref name="target"/> (0 if none).</summary>
    public int LookupPosition(long target)
    {
        int c = _count;
        Entry[] e = _entries;
        long rel = target - _baseOffset;
        int lo = 0, hi = c - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (e[mid].RelativeOffset <= rel) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? 0 : e[found].Position;
    }

    /// <summary>Largest entry position p with lower &lt; p &lt;= upper, or -1: a known batch boundary in that range.</summary>
    public long LookupBoundaryAtMost(long lower, long upper)
    {
        int c = _count;
        Entry[] e = _entries;
        int lo = 0, hi = c - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (e[mid].Position <= upper) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found < 0 || e[found].Position <= lower) return -1;
        return e[found].Position;
    }

    /// <summary>Empties the index (memory and file), before a rebuild.</summary>
    public void Reset()
    {
        _count = 0;
        _written = 0;
        IndexFile.Truncate(_path, 0);
    }

    /// <summary>
    /// Loads the file and checks it: size a multiple of the entry size, offsets and positions strictly
    /// increasing, positions inside the log. False (index left empty) when it must be rebuilt.
    /// </summary>
    public bool TryLoad(long logSize)
    {
        _count = 0;
        _written = 0;
        byte[]? bytes = IndexFile.ReadAll(_path, (long)_maxEntries * EntrySize);
        if (bytes is null || bytes.Length % EntrySize != 0) return false;
        int n = bytes.Length / EntrySize;
        if (n == 0) return true;
        int prevRel = -1, prevPos = -1;
        for (int i = 0; i < n; i++)
        {
            int rel = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize));
            int pos = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 4));
            if (rel <= prevRel || pos <= prevPos || rel < 0 || pos < 0 || pos >= logSize)
            {
                _count = 0;
                return false;
            }
            Store(i, new Entry(rel, pos));
            prevRel = rel;
            prevPos = pos;
        }
        _written = n;
        return true;
    }

    /// <summary>Writes the entries not yet in the file (creating it) and fsyncs it; see <see cref="IndexFile"/>.</summary>
    public void Flush() => _written = IndexFile.FlushPending(_path, _entries, _written, _count, EntrySize, WriteEntry);

    private static void WriteEntry(in Entry e, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, e.RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], e.Position);
    }

    public void DeleteFile() => File.Delete(_path);

    /// <summary>Nothing to close: the file is opened only while it is written or read.</summary>
    public void Dispose()
    {
    }
}

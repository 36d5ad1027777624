using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Rill.Storage.Internal;

namespace Rill.Storage.Segments;

/// <summary>
/// The .index file of a segment: entries of (4-byte offset relative to the segment base, 4-byte file position),
/// big-endian as Kafka writes them. Entry i says: the batch starting at Position holds offsets up to
/// BaseOffset + RelativeOffset. Entries are kept in memory for lookups and appended to the file with one write
/// each; readers may look up concurrently with the single writer (the count is published last).
/// </summary>
internal sealed class OffsetIndex : IDisposable
{
    public const int EntrySize = 8;

    private readonly string _path;
    private readonly long _baseOffset;
    private readonly int _maxEntries;
    private SafeFileHandle _file;
    private Entry[] _entries = new Entry[16];
    private volatile int _count;

    private readonly record struct Entry(int RelativeOffset, int Position);

    public OffsetIndex(string path, long baseOffset, int maxIndexBytes)
    {
        _path = path;
        _baseOffset = baseOffset;
        _maxEntries = Math.Max(1, maxIndexBytes / EntrySize);
        _file = FileIo.OpenReadWrite(path);
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
        Span<byte> buf = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt32BigEndian(buf, entry.RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(buf[4..], entry.Position);
        RandomAccess.Write(_file, buf, (long)c * EntrySize);
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
        RandomAccess.SetLength(_file, 0);
    }

    /// <summary>
    /// Loads the file and checks it: size a multiple of the entry size, offsets and positions strictly
    /// increasing, positions inside the log. False (index left empty) when it must be rebuilt.
    /// </summary>
    public bool TryLoad(long logSize)
    {
        _count = 0;
        long length = RandomAccess.GetLength(_file);
        if (length % EntrySize != 0 || length / EntrySize > _maxEntries) return false;
        int n = (int)(length / EntrySize);
        if (n == 0) return true;
        byte[] bytes = new byte[length];
        if (FileIo.ReadFully(_file, bytes, 0) != bytes.Length) return false;
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
        return true;
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void DeleteFile()
    {
        _file.Dispose();
        File.Delete(_path);
    }

    public void Dispose() => _file.Dispose();
}

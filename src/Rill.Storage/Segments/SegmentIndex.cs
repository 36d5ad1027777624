using System.Buffers;

namespace Rill.Storage.Segments;

/// <summary>
/// What the .index and .timeindex of a segment share: fixed-size big-endian entries kept in a growable in-memory
/// array for lookups (one writer; readers look up concurrently, the count is published last), at most
/// segment.index.bytes of them, written to the file only when the segment is flushed (the entries not yet there,
/// see <see cref="IndexFile"/>), and loaded at open with a check of every entry against the one before it. A
/// subclass says how an entry is laid out and what makes a file trustworthy.
/// </summary>
internal abstract class SegmentIndex<TEntry> : IDisposable
    where TEntry : struct
{
    private readonly string _path;
    private readonly int _entrySize;
    private int _written;
    private TEntry[] _entries = new TEntry[16];
    private volatile int _count;

    protected SegmentIndex(string path, long baseOffset, int maxIndexBytes, int entrySize)
    {
        _path = path;
        _entrySize = entrySize;
        BaseOffset = baseOffset;
        MaxEntries = Math.Max(1, maxIndexBytes / entrySize);
    }

    /// <summary>The segment's base offset; entries hold offsets relative to it.</summary>
    protected long BaseOffset { get; }

    /// <summary>How many entries segment.index.bytes leaves room for.</summary>
    protected int MaxEntries { get; }

    public int Count => _count;

    /// <summary>The entries, of which the first <see cref="Count"/> are valid (read the count first).</summary>
    protected TEntry[] Entries => _entries;

    /// <summary>The last entry; only when <see cref="Count"/> is above zero.</summary>
    protected ref readonly TEntry Last(int count) => ref _entries[count - 1];

    /// <summary>Adds <paramref name="entry"/> as entry number <paramref name="count"/> (the current count) and publishes it.</summary>
    protected void Store(int count, in TEntry entry)
    {
        if (count == _entries.Length)
        {
            var grown = new TEntry[Math.Min(Math.Max(16, count * 2), Math.Max(MaxEntries, 16))];
            Array.Copy(_entries, grown, count);
            _entries = grown;
        }
        _entries[count] = entry;
        _count = count + 1;
    }

    /// <summary>Empties the index (memory and file), before a rebuild.</summary>
    public void Reset()
    {
        _count = 0;
        _written = 0;
        IndexFile.Truncate(_path, 0);
    }

    /// <summary>
    /// Loads the file and checks it: its size a multiple of the entry size and not above segment.index.bytes, and
    /// every entry acceptable after the one before it (<see cref="Follows"/>, the first after
    /// <see cref="BeforeFirst"/>) given <paramref name="bound"/>. False, the index left empty, when it must be rebuilt.
    /// </summary>
    public bool TryLoad(long bound)
    {
        _count = 0;
        _written = 0;
        byte[]? bytes = IndexFile.ReadAll(_path, (long)MaxEntries * _entrySize);
        if (bytes is null || bytes.Length % _entrySize != 0) return false;
        int n = bytes.Length / _entrySize;
        TEntry previous = BeforeFirst;
        for (int i = 0; i < n; i++)
        {
            TEntry entry = ReadEntry(bytes.AsSpan(i * _entrySize, _entrySize));
            if (!Follows(previous, entry, bound))
            {
                _count = 0;
                return false;
            }
            Store(i, entry);
            previous = entry;
        }
        _written = n;
        return true;
    }

    /// <summary>Writes the entries not yet in the file (creating it) and fsyncs it; see <see cref="IndexFile"/>.</summary>
    public void Flush()
    {
        int count = _count;
        int from = Math.Min(_written, count);
        int bytes = (count - from) * _entrySize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes));
        try
        {
            Span<byte> span = buffer.AsSpan(0, bytes);
            for (int i = 0; i < count - from; i++)
            {
                WriteEntry(_entries[from + i], span.Slice(i * _entrySize, _entrySize));
            }
            IndexFile.WriteAndSync(_path, span, (long)from * _entrySize);
            _written = count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void DeleteFile() => File.Delete(_path);

    /// <summary>Nothing to close: the file is opened only while it is written or read.</summary>
    public void Dispose()
    {
    }

    /// <summary>A virtual entry before the first, such that <see cref="Follows"/> checks the first entry alone.</summary>
    protected abstract TEntry BeforeFirst { get; }

    /// <summary>True when <paramref name="entry"/> may follow <paramref name="previous"/> in a file that is to be trusted.</summary>
    protected abstract bool Follows(in TEntry previous, in TEntry entry, long bound);

    protected abstract TEntry ReadEntry(ReadOnlySpan<byte> source);

    protected abstract void WriteEntry(in TEntry entry, Span<byte> destination);
}

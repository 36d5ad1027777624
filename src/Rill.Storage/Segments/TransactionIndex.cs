using System.Buffers.Binary;

namespace Rill.Storage.Segments;

/// <summary>One aborted transaction: the producer, its first and last offsets (the abort marker's) and the partition's LSO when it was aborted.</summary>
internal readonly record struct AbortedTxn(long ProducerId, long FirstOffset, long LastOffset, long LastStableOffset);

/// <summary>
/// A segment's aborted-transactions index (<c>.txnindex</c>) in Kafka's layout: 34-byte entries
/// of int16 version (0), int64 producer id, first offset, last offset and last stable offset, in
/// the order the aborts were written. Like the other indexes it lives in memory and is written at
/// flush; a torn tail entry (crash mid-write) is dropped on load. Each <see cref="LogSegment"/>
/// holds the entries of the abort markers it contains.
/// </summary>
internal sealed class TransactionIndex
{
    public const int EntrySize = 34;
    private const short Version = 0;
    // One writer (under the partition log's lock), lock-free readers: the array is replaced before the count that
    // covers the new entry is published, so a reader that reads the count first finds its entries in the array.
    private AbortedTxn[] _entries = [];
    private int _count;
    private int _flushed;

    /// <summary>A copy of the entries, oldest first.</summary>
    public IReadOnlyList<AbortedTxn> Entries
    {
        get
        {
            int count = Volatile.Read(ref _count);
            return Volatile.Read(ref _entries).AsSpan(0, count).ToArray();
        }
    }

    public int Count => Volatile.Read(ref _count);

    public void Append(in AbortedTxn txn)
    {
        int count = _count;
        if (count > 0 && txn.LastOffset < _entries[count - 1].LastOffset)
        {
            throw new ArgumentException($"Aborted transaction ending at {txn.LastOffset} is before the last one ({_entries[count - 1].LastOffset}).");
        }
        if (count == _entries.Length)
        {
            var grown = new AbortedTxn[Math.Max(4, count * 2)];
            Array.Copy(_entries, grown, count);
            Volatile.Write(ref _entries, grown);
        }
        _entries[count] = txn;
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>
    /// Adds to <paramref name="into"/> every aborted transaction that overlaps the fetched range
    /// [<paramref name="fetchOffset"/>, <paramref name="upperBound"/>): what a read_committed Fetch
    /// returns so the client drops those producers' records. True when an entry ends at or past the
    /// upper bound (no later segment can hold more for this range).
    /// </summary>
    public bool Collect(long fetchOffset, long upperBound, List<AbortedTxn> into)
    {
        List<AbortedTxn>? list = into;
        return Collect(fetchOffset, upperBound, ref list);
    }

    /// <summary>As <see cref="Collect(long, long, List{AbortedTxn})"/>, creating the list only when something is found.</summary>
    public bool Collect(long fetchOffset, long upperBound, ref List<AbortedTxn>? into)
    {
        int count = Volatile.Read(ref _count);
        AbortedTxn[] entries = Volatile.Read(ref _entries);
        for (int i = 0; i < count; i++)
        {
            AbortedTxn txn = entries[i];
            if (txn.LastOffset >= fetchOffset && txn.FirstOffset < upperBound)
            {
                (into ??= []).Add(txn);
            }
            if (txn.LastStableOffset >= upperBound)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Drops entries whose abort marker is at or after <paramref name="offset"/> (log truncation, rebuild).</summary>
    public void TruncateTo(long offset)
    {
        int count = _count;
        int keep = count;
        while (keep > 0 && _entries[keep - 1].LastOffset >= offset) keep--;
        if (keep == count) return;
        Volatile.Write(ref _count, keep);
        _flushed = Math.Min(_flushed, keep);
    }

    public static byte[] Encode(in AbortedTxn txn)
    {
        byte[] bytes = new byte[EntrySize];
        Encode(txn, bytes);
        return bytes;
    }

    private static void Encode(in AbortedTxn txn, Span<byte> bytes)
    {
        BinaryPrimitives.WriteInt16BigEndian(bytes, Version);
        BinaryPrimitives.WriteInt64BigEndian(bytes[2..], txn.ProducerId);
        BinaryPrimitives.WriteInt64BigEndian(bytes[10..], txn.FirstOffset);
        BinaryPrimitives.WriteInt64BigEndian(bytes[18..], txn.LastOffset);
        BinaryPrimitives.WriteInt64BigEndian(bytes[26..], txn.LastStableOffset);
    }

    /// <summary>Writes the entries not yet on disk to <paramref name="path"/> and fsyncs it.</summary>
    public void Flush(string path)
    {
        int count = _count;
        if (_flushed == count && File.Exists(path) && new FileInfo(path).Length == (long)count * EntrySize)
        {
            return;
        }
        IndexFile.Truncate(path, (long)_flushed * EntrySize);
        byte[] tail = new byte[(count - _flushed) * EntrySize];
        for (int i = _flushed; i < count; i++)
        {
            Encode(_entries[i], tail.AsSpan((i - _flushed) * EntrySize));
        }
        IndexFile.WriteAndSync(path, tail, (long)_flushed * EntrySize);
        _flushed = count;
    }

    /// <summary>
    /// Writes the .txnindex of a segment made of <paramref name="sources"/> (compaction) to <paramref name="path"/>
    /// atomically: their entries in order, those of <paramref name="sources"/>[0] first.
    /// </summary>
    public static void WriteMerged(string path, IEnumerable<TransactionIndex> sources)
    {
        var merged = new TransactionIndex();
        foreach (TransactionIndex source in sources)
        {
            foreach (AbortedTxn txn in source.Entries)
            {
                // Each marker has its own offset: an entry not after the last one is already there.
                if (merged._count == 0 || txn.LastOffset > merged._entries[merged._count - 1].LastOffset) merged.Append(txn);
            }
        }
        if (merged._count == 0)
        {
            File.Delete(path);
            return;
        }
        byte[] bytes = new byte[merged._count * EntrySize];
        for (int i = 0; i < merged._count; i++) Encode(merged._entries[i], bytes.AsSpan(i * EntrySize));
        Internal.FileIo.WriteAtomically(path, bytes);
    }

    /// <summary>Writes <paramref name="entries"/> (in marker order) as the whole .txnindex at <paramref name="path"/>, atomically; none: no file.</summary>
    public static void WriteEntries(string path, IReadOnlyList<AbortedTxn> entries)
    {
        var index = new TransactionIndex();
        foreach (AbortedTxn txn in entries) index.Append(txn);
        WriteMerged(path, [index]);
    }

    /// <summary>Loads <paramref name="path"/>; a torn last entry or an unknown version ends the index there.</summary>
    public static TransactionIndex Load(string path)
    {
        var index = new TransactionIndex();
        byte[] bytes = IndexFile.ReadAll(path, 64L * 1024 * 1024) ?? [];
        for (int pos = 0; pos + EntrySize <= bytes.Length; pos += EntrySize)
        {
            ReadOnlySpan<byte> e = bytes.AsSpan(pos, EntrySize);
            if (BinaryPrimitives.ReadInt16BigEndian(e) != Version)
            {
                break;
            }
            var txn = new AbortedTxn(
                BinaryPrimitives.ReadInt64BigEndian(e[2..]),
                BinaryPrimitives.ReadInt64BigEndian(e[10..]),
                BinaryPrimitives.ReadInt64BigEndian(e[18..]),
                BinaryPrimitives.ReadInt64BigEndian(e[26..]));
            if (index._count > 0 && txn.LastOffset < index._entries[index._count - 1].LastOffset)
            {
                break;
            }
            index.Append(txn);
        }
        index._flushed = index._count;
        return index;
    }
}

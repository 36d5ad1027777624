using System.Buffers.Binary;

namespace Rill.Storage.Segments;

/// <summary>One aborted transaction: the producer, its first and last offsets (the abort marker's) and the partition's LSO when it was aborted.</summary>
internal readonly record struct AbortedTxn(long ProducerId, long FirstOffset, long LastOffset, long LastStableOffset);

/// <summary>
/// A segment's aborted-transactions index (<c>.txnindex</c>) in Kafka's layout: 34-byte entries
/// of int16 version (0), int64 producer id, first offset, last offset and last stable offset, in
/// the order the aborts were written. Like the other indexes it lives in memory and is written at
/// flush; a torn tail entry (crash mid-write) is dropped on load. Not yet wired into
/// <see cref="LogSegment"/> (see docs/dev/transactions.md).
/// </summary>
internal sealed class TransactionIndex
{
    public const int EntrySize = 34;
    private const short Version = 0;
    private readonly List<AbortedTxn> _entries = [];
    private int _flushed;

    public IReadOnlyList<AbortedTxn> Entries => _entries;

    public void Append(in AbortedTxn txn)
    {
        if (_entries.Count > 0 && txn.LastOffset < _entries[^1].LastOffset)
        {
            throw new ArgumentException($"Aborted transaction ending at {txn.LastOffset} is before the last one ({_entries[^1].LastOffset}).");
        }
        _entries.Add(txn);
    }

    /// <summary>
    /// Adds to <paramref name="into"/> every aborted transaction that overlaps the fetched range
    /// [<paramref name="fetchOffset"/>, <paramref name="upperBound"/>): what a read_committed Fetch
    /// returns so the client drops those producers' records. True when an entry ends at or past the
    /// upper bound (no later segment can hold more for this range).
    /// </summary>
    public bool Collect(long fetchOffset, long upperBound, List<AbortedTxn> into)
    {
        foreach (AbortedTxn txn in _entries)
        {
            if (txn.LastOffset >= fetchOffset && txn.FirstOffset < upperBound)
            {
                into.Add(txn);
            }
            if (txn.LastStableOffset >= upperBound)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Drops entries whose abort marker is at or after <paramref name="offset"/> (log truncation).</summary>
    public void TruncateTo(long offset)
    {
        int keep = _entries.FindIndex(e => e.LastOffset >= offset);
        if (keep >= 0)
        {
            _entries.RemoveRange(keep, _entries.Count - keep);
            _flushed = Math.Min(_flushed, keep);
        }
    }

    public static byte[] Encode(in AbortedTxn txn)
    {
        byte[] bytes = new byte[EntrySize];
        BinaryPrimitives.WriteInt16BigEndian(bytes, Version);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(2), txn.ProducerId);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(10), txn.FirstOffset);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(18), txn.LastOffset);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(26), txn.LastStableOffset);
        return bytes;
    }

    /// <summary>Writes the entries not yet on disk to <paramref name="path"/> and fsyncs it.</summary>
    public void Flush(string path)
    {
        if (_flushed == _entries.Count && File.Exists(path))
        {
            return;
        }
        IndexFile.Truncate(path, (long)_flushed * EntrySize);
        byte[] tail = new byte[(_entries.Count - _flushed) * EntrySize];
        for (int i = _flushed; i < _entries.Count; i++)
        {
            Encode(_entries[i]).CopyTo(tail.AsSpan((i - _flushed) * EntrySize));
        }
        IndexFile.WriteAndSync(path, tail, (long)_flushed * EntrySize);
        _flushed = _entries.Count;
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
            if (index._entries.Count > 0 && txn.LastOffset < index._entries[^1].LastOffset)
            {
                break;
            }
            index._entries.Add(txn);
        }
        index._flushed = index._entries.Count;
        return index;
    }
}

using System.Buffers.Binary;

namespace Rill.Storage.Segments;

/// <summary>
/// The .index file of a segment: entries of (4-byte offset relative to the segment base, 4-byte file position),
/// big-endian as Kafka writes them. Entry i says: the batch starting at Position holds offsets up to
/// BaseOffset + RelativeOffset. Loading trusts a file whose offsets and positions strictly increase and whose
/// positions lie inside the log (the bound given to <see cref="SegmentIndex{TEntry}.TryLoad"/> is the log size).
/// </summary>
internal sealed class OffsetIndex(string path, long baseOffset, int maxIndexBytes)
    : SegmentIndex<OffsetIndex.Entry>(path, baseOffset, maxIndexBytes, EntrySize)
{
    public const int EntrySize = 8;

    internal readonly record struct Entry(int RelativeOffset, int Position);

    public bool IsFull => Count >= MaxEntries;

    /// <summary>Position of the last entry, or 0 when empty.</summary>
    public int LastPosition { get { int c = Count; return c == 0 ? 0 : Last(c).Position; } }

    public void Append(long offset, int position)
    {
        int c = Count;
        if (c >= MaxEntries) return;
        Store(c, new Entry((int)(offset - BaseOffset), position));
    }

    /// <summary>File position of the last entry whose offset is at most <paramref name="target"/> (0 if none).</summary>
    public int LookupPosition(long target)
    {
        int c = Count;
        Entry[] e = Entries;
        long rel = target - BaseOffset;
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
        int c = Count;
        Entry[] e = Entries;
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

    protected override Entry BeforeFirst => new(-1, -1);

    protected override bool Follows(in Entry previous, in Entry entry, long logSize) =>
        entry.RelativeOffset > previous.RelativeOffset && entry.Position > previous.Position && entry.Position < logSize;

    protected override Entry ReadEntry(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt32BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[4..]));

    protected override void WriteEntry(in Entry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, entry.RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], entry.Position);
    }
}

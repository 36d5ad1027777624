using System.Buffers.Binary;

namespace Rill.Storage.Segments;

/// <summary>
/// The .timeindex file of a segment: entries of (8-byte timestamp, 4-byte relative offset), big-endian. Entry
/// (t, o) says: every batch up to and including the one holding offset o has a max timestamp of at most t.
/// Timestamps only grow (an entry is appended only when the segment's max timestamp grew). Loading trusts a file
/// whose timestamps and offsets never decrease and whose offsets lie below the segment's end offset (the bound
/// given to <see cref="SegmentIndex{TEntry}.TryLoad"/>).
/// </summary>
internal sealed class TimeIndex(string path, long baseOffset, int maxIndexBytes)
    : SegmentIndex<TimeIndex.Entry>(path, baseOffset, maxIndexBytes, EntrySize)
{
    public const int EntrySize = 12;

    internal readonly record struct Entry(long Timestamp, int RelativeOffset);

    /// <summary>Full, keeping one slot for the entry written when the segment stops being active.</summary>
    public bool IsFull => Count >= MaxEntries - 1;
    public long LastTimestamp { get { int c = Count; return c == 0 ? -1 : Last(c).Timestamp; } }
    public long LastOffset { get { int c = Count; return c == 0 ? -1 : BaseOffset + Last(c).RelativeOffset; } }

    /// <summary>Appends (timestamp, offset) when the timestamp is larger than the last one.</summary>
    public void MaybeAppend(long timestamp, long offset, bool skipFullCheck = false)
    {
        int c = Count;
        if (timestamp < 0 || (!skipFullCheck && IsFull) || c >= MaxEntries) return;
        if (c > 0 && timestamp <= Last(c).Timestamp) return;
        Store(c, new Entry(timestamp, (int)(offset - BaseOffset)));
    }

    /// <summary>
    /// Offset of the last entry whose timestamp is strictly below <paramref name="timestamp"/>: every batch
    /// before the one holding it is older than the target, so a scan may start there. The base offset if none.
    /// </summary>
    public long LookupStartOffset(long timestamp)
    {
        int c = Count;
        Entry[] e = Entries;
        int lo = 0, hi = c - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (e[mid].Timestamp < timestamp) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? BaseOffset : BaseOffset + e[found].RelativeOffset;
    }

    protected override Entry BeforeFirst => new(long.MinValue, -1);

    protected override bool Follows(in Entry previous, in Entry entry, long endOffset) =>
        entry.Timestamp >= previous.Timestamp && entry.RelativeOffset >= previous.RelativeOffset && entry.RelativeOffset >= 0
        && BaseOffset + entry.RelativeOffset < endOffset;

    protected override Entry ReadEntry(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[8..]));

    protected override void WriteEntry(in Entry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, entry.Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], entry.RelativeOffset);
    }
}

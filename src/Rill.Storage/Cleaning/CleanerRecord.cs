using Rill.Protocol.Records;

namespace Rill.Storage.Cleaning;

/// <summary>One v2 record inside a (decompressed) records area, as the cleaner needs it.</summary>
internal readonly ref struct CleanerRecord
{
    /// <summary>The record's bytes including its length prefix (copied as they are when the record is kept).</summary>
    public ReadOnlySpan<byte> Whole { get; init; }
    public long TimestampDelta { get; init; }
    public int OffsetDelta { get; init; }
    public ReadOnlySpan<byte> Key { get; init; }
    public bool HasKey { get; init; }
    public bool IsTombstone { get; init; }

    /// <summary>
    /// Reads the record at <paramref name="position"/> and moves past it; false when the bytes do not hold a
    /// well-formed record (a stored batch passed the CRC check, so this means a bug or foreign data: the cleaner
    /// then keeps the batch untouched).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> records, ref int position, out CleanerRecord record)
    {
        record = default;
        int start = position;
        if (!Varint.TryReadVarInt(records, ref position, out int length) || length < 1 || length > records.Length - position)
        {
            return false;
        }
        ReadOnlySpan<byte> body = records.Slice(position, length);
        int end = position + length;
        int p = 1; // attributes
        if (!Varint.TryReadVarLong(body, ref p, out long tsDelta)
            || !Varint.TryReadVarInt(body, ref p, out int offsetDelta)
            || !Varint.TryReadVarInt(body, ref p, out int keyLength)
            || keyLength < -1 || keyLength > body.Length - p)
        {
            return false;
        }
        ReadOnlySpan<byte> key = keyLength > 0 ? body.Slice(p, keyLength) : default;
        p += Math.Max(0, keyLength);
        if (!Varint.TryReadVarInt(body, ref p, out int valueLength) || valueLength < -1 || valueLength > body.Length - p)
        {
            return false;
        }
        position = end;
        record = new CleanerRecord
        {
            Whole = records[start..end],
            TimestampDelta = tsDelta,
            OffsetDelta = offsetDelta,
            Key = key,
            HasKey = keyLength >= 0,
            IsTombstone = valueLength < 0,
        };
        return true;
    }
}

namespace Rill.Protocol.Records;

/// <summary>
/// Walks the records area of a batch (decompressed), checking each record's framing without
/// allocating: length, attributes, timestamp and offset deltas, key, value and headers in bounds.
/// </summary>
internal static class RecordWalker
{
    public const string MissingKey = "Compacted topic cannot accept message without key.";

    /// <summary>
    /// Checks framing; a record without a key when <paramref name="requireKeys"/> is a per-record error
    /// (KIP-467): it is added to <paramref name="recordErrors"/> (index <paramref name="firstIndex"/> + i),
    /// and the walk goes on so that every bad record is named.
    /// </summary>
    /// <returns>null when the records are well formed, else what is wrong.</returns>
    public static string? Check(ReadOnlySpan<byte> records, int count, int lastOffsetDelta, bool requireKeys,
        int firstIndex, ref List<RecordError>? recordErrors)
    {
        int position = 0;
        int previousDelta = -1;
        for (int i = 0; i < count; i++)
        {
            if (!Varint.TryReadVarInt(records, ref position, out int length) || length < 0 || length > records.Length - position)
            {
                return $"record {i} has an invalid length.";
            }
            ReadOnlySpan<byte> record = records.Slice(position, length);
            position += length;
            int p = 1; // attributes (unused)
            if (record.Length < 1
                || !Varint.TryReadVarLong(record, ref p, out _)
                || !Varint.TryReadVarInt(record, ref p, out int offsetDelta))
            {
                return $"record {i} is truncated.";
            }
            if (offsetDelta <= previousDelta || offsetDelta > lastOffsetDelta)
            {
                return $"record {i} has offset delta {offsetDelta}, after {previousDelta} and at most {lastOffsetDelta}.";
            }
            previousDelta = offsetDelta;
            if (!Varint.TryReadVarInt(record, ref p, out int keyLength) || keyLength < -1 || keyLength > record.Length - p)
            {
                return $"record {i} has an invalid key length.";
            }
            if (keyLength < 0 && requireKeys)
            {
                (recordErrors ??= []).Add(new RecordError(firstIndex + i, MissingKey));
            }
            p += Math.Max(0, keyLength);
            if (!Varint.TryReadVarInt(record, ref p, out int valueLength) || valueLength < -1 || valueLength > record.Length - p)
            {
                return $"record {i} has an invalid value length.";
            }
            p += Math.Max(0, valueLength);
            if (!Varint.TryReadVarInt(record, ref p, out int headers) || headers < 0)
            {
                return $"record {i} has an invalid header count.";
            }
            for (int h = 0; h < headers; h++)
            {
                if (!Varint.TryReadVarInt(record, ref p, out int keyLen) || keyLen < 0 || keyLen > record.Length - p)
                {
                    return $"record {i} header {h} has an invalid key.";
                }
                p += keyLen;
                if (!Varint.TryReadVarInt(record, ref p, out int valueLen) || valueLen < -1 || valueLen > record.Length - p)
                {
                    return $"record {i} header {h} has an invalid value.";
                }
                p += Math.Max(0, valueLen);
            }
            if (p != record.Length)
            {
                return $"record {i} has {record.Length - p} bytes past its last header.";
            }
        }
        if (position != records.Length)
        {
            return $"{records.Length - position} bytes follow the last of {count} records.";
        }
        return null;
    }
}

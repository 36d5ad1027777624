using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Records;

/// <summary>
/// message.timestamp.before.max.ms / after.max.ms (KIP-937) as per-record errors (KIP-467). Each
/// batch's base and max timestamps are checked first, which costs nothing per record; only a batch
/// whose bounds fall outside the window is walked (decompressed if needed) to name the records
/// whose own timestamps are out of range. A timestamp of -1 (converted magic 0 messages) is not checked.
/// </summary>
public static class RecordTimestampCheck
{
    /// <returns>null when every timestamp lies within [earliest, latest], else the records outside it.</returns>
    public static List<RecordError>? FindOutOfRange(ReadOnlySpan<byte> batches, long earliest, long latest)
    {
        List<RecordError>? errors = null;
        ArrayBufferWriter<byte>? decompressed = null;
        int position = 0, firstIndex = 0;
        while (batches.Length - position >= RecordBatchLayout.HeaderSize)
        {
            ReadOnlySpan<byte> batch = batches[position..];
            int total = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.BatchLength..]) + RecordBatchLayout.LogOverhead;
            batch = batch[..total];
            position += total;
            int count = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.RecordCount..]);
            long first = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.BaseTimestamp..]);
            long max = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.MaxTimestamp..]);
            if (!Outside(first, earliest, latest) && !Outside(max, earliest, latest))
            {
                firstIndex += count;
                continue;
            }
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
            short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.Attributes..]);
            ReadOnlySpan<byte> body = batch[RecordBatchLayout.HeaderSize..];
            var codec = (CompressionType)(attributes & RecordBatchLayout.CompressionMask);
            if (codec != CompressionType.None)
            {
                decompressed ??= new ArrayBufferWriter<byte>();
                decompressed.Clear();
                try
                {
                    Codecs.Decompress(codec, body, decompressed, CompressedRecords.MaxDecompressedSize);
                }
                catch (CompressionException e)
                {
                    // Without the records, name them all: the batch's own bounds are already out of range.
                    AddAll(ref errors, firstIndex, count,
                        $"The batch's timestamps [{first}, {max}] are out of range [{earliest}, {latest}] and its records cannot be read: {e.Message}");
                    firstIndex += count;
                    continue;
                }
                body = decompressed.WrittenSpan;
            }
            int before = errors?.Count ?? 0;
            int p = 0;
            for (int i = 0; i < count; i++)
            {
                // The validator has checked the framing of uncompressed and compacted-topic batches; stay in bounds for the rest.
                if (!Varint.TryReadVarInt(body, ref p, out int length) || length < 1 || length > body.Length - p)
                {
                    break;
                }
                int end = p + length;
                int q = p + 1; // attributes
                Varint.TryReadVarLong(body, ref q, out long timestampDelta);
                Varint.TryReadVarInt(body, ref q, out int offsetDelta);
                long timestamp = first + timestampDelta;
                if (Outside(timestamp, earliest, latest))
                {
                    (errors ??= []).Add(new RecordError(firstIndex + i,
                        $"Timestamp {timestamp} of message with offset {baseOffset + offsetDelta} is out of range; it must lie within [{earliest}, {latest}]."));
                }
                p = end;
            }
            if ((errors?.Count ?? 0) == before)
            {
                // The header's bounds are out of range but no record is (an inconsistent or unreadable batch): refuse it whole.
                AddAll(ref errors, firstIndex, count, $"The batch's timestamps [{first}, {max}] are out of range [{earliest}, {latest}].");
            }
            firstIndex += count;
        }
        return errors;
    }

    private static bool Outside(long timestamp, long earliest, long latest) =>
        timestamp != -1 && (timestamp < earliest || timestamp > latest);

    private static void AddAll(ref List<RecordError>? errors, int firstIndex, int count, string message)
    {
        errors ??= [];
        for (int i = 0; i < Math.Max(1, count); i++)
        {
            errors.Add(new RecordError(firstIndex + i, message));
        }
    }
}

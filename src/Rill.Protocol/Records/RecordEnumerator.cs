using System.Buffers.Binary;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Records;

/// <summary>One record read back from a batch: absolute offset, timestamp, key and value.</summary>
public readonly record struct StoredRecord(long Offset, long Timestamp, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value);

/// <summary>
/// Reads the records of stored batches (decompressing when needed). For internal topics and
/// tools, not for the fetch path, which returns batches as stored.
/// </summary>
public static class RecordEnumerator
{
    public static List<StoredRecord> ReadAll(ReadOnlyMemory<byte> batches)
    {
        var result = new List<StoredRecord>();
        int position = 0;
        ReadOnlySpan<byte> span = batches.Span;
        while (span.Length - position >= RecordBatchLayout.HeaderSize)
        {
            int total = BinaryPrimitives.ReadInt32BigEndian(span[(position + RecordBatchLayout.BatchLength)..]) + RecordBatchLayout.LogOverhead;
            if (total < RecordBatchLayout.HeaderSize || total > span.Length - position)
            {
                break;
            }
            ReadOnlyMemory<byte> batch = batches.Slice(position, total);
            position += total;
            ReadBatch(batch, result);
        }
        return result;
    }

    private static void ReadBatch(ReadOnlyMemory<byte> batch, List<StoredRecord> into)
    {
        ReadOnlySpan<byte> header = batch.Span;
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
        short attributes = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.Attributes..]);
        if ((attributes & RecordBatchLayout.ControlFlag) != 0)
        {
            return;
        }
        long baseTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.BaseTimestamp..]);
        int count = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.RecordCount..]);
        ReadOnlyMemory<byte> body = batch[RecordBatchLayout.HeaderSize..];
        var codec = (CompressionType)(attributes & RecordBatchLayout.CompressionMask);
        if (codec != CompressionType.None)
        {
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            Codecs.Decompress(codec, body.Span, output, 256 * 1024 * 1024);
            body = output.WrittenMemory;
        }
        int p = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> span = body.Span;
            if (!Varint.TryReadVarInt(span, ref p, out int length) || length < 0 || length > span.Length - p)
            {
                throw new InvalidDataException($"Record {i} of the batch at offset {baseOffset} is malformed.");
            }
            int end = p + length;
            p++; // attributes
            Varint.TryReadVarLong(span, ref p, out long timestampDelta);
            Varint.TryReadVarInt(span, ref p, out int offsetDelta);
            ReadOnlyMemory<byte>? key = ReadBytes(body, ref p);
            ReadOnlyMemory<byte>? value = ReadBytes(body, ref p);
            into.Add(new StoredRecord(baseOffset + offsetDelta, baseTimestamp + timestampDelta, key, value));
            p = end;
        }
    }

    private static ReadOnlyMemory<byte>? ReadBytes(ReadOnlyMemory<byte> body, ref int p)
    {
        Varint.TryReadVarInt(body.Span, ref p, out int length);
        if (length < 0)
        {
            return null;
        }
        ReadOnlyMemory<byte> slice = body.Slice(p, length);
        p += length;
        return slice;
    }
}

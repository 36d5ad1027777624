using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Broker.WebConsole;

/// <summary>One record of a stored batch with its headers, as slices of the batch (or of its decompressed body).</summary>
internal readonly record struct BrowsedRecord(long Offset, long Timestamp, bool LogAppendTime, ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value, IReadOnlyList<(string Key, ReadOnlyMemory<byte>? Value)> Headers);

/// <summary>
/// Walks stored magic-2 batches for the message browser: batch by batch, decompressing when needed,
/// skipping control batches. <see cref="Body"/> lets a search look for its bytes in a batch's
/// (decompressed) records section and skip the batch without decoding its records.
/// </summary>
internal static class StoredRecordReader
{
    /// <summary>The whole batches at the start of <paramref name="buffer"/>: (position, length, base offset, last offset).</summary>
    public static IEnumerable<(int Position, int Length, long BaseOffset, long LastOffset)> Batches(ReadOnlyMemory<byte> buffer)
    {
        int position = 0;
        while (buffer.Length - position >= RecordBatchLayout.HeaderSize)
        {
            ReadOnlySpan<byte> span = buffer.Span[position..];
            int total = BinaryPrimitives.ReadInt32BigEndian(span[RecordBatchLayout.BatchLength..]) + RecordBatchLayout.LogOverhead;
            if (total < RecordBatchLayout.HeaderSize || total > span.Length)
            {
                yield break;
            }
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(span);
            int lastDelta = BinaryPrimitives.ReadInt32BigEndian(span[RecordBatchLayout.LastOffsetDelta..]);
            yield return (position, total, baseOffset, baseOffset + lastDelta);
            position += total;
        }
    }

    public static bool IsControl(ReadOnlySpan<byte> batch)
        => (BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.Attributes..]) & RecordBatchLayout.ControlFlag) != 0;

    /// <summary>
    /// The records section of a batch: the batch's own bytes when uncompressed, else decompressed into
    /// <paramref name="scratch"/> (cleared first, reused across batches: records read from a decompressed body
    /// are valid only until the next call with the same scratch buffer).
    /// </summary>
    public static ReadOnlyMemory<byte> Body(ReadOnlyMemory<byte> batch, ArrayBufferWriter<byte> scratch)
    {
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch.Span[RecordBatchLayout.Attributes..]);
        var codec = (CompressionType)(attributes & RecordBatchLayout.CompressionMask);
        if (codec == CompressionType.None)
        {
            return batch[RecordBatchLayout.HeaderSize..];
        }
        scratch.ResetWrittenCount();
        Codecs.Decompress(codec, batch.Span[RecordBatchLayout.HeaderSize..], scratch, 256 * 1024 * 1024);
        return scratch.WrittenMemory;
    }

    /// <summary>Decodes every record of one batch; throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static void Read(ReadOnlyMemory<byte> batch, List<BrowsedRecord> into, ReadOnlyMemory<byte>? decodedBody = null)
    {
        ReadOnlySpan<byte> header = batch.Span;
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
        short attributes = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.Attributes..]);
        if ((attributes & RecordBatchLayout.ControlFlag) != 0)
        {
            return;
        }
        bool logAppendTime = (attributes & RecordBatchLayout.TimestampTypeFlag) != 0;
        long baseTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.BaseTimestamp..]);
        long maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.MaxTimestamp..]);
        int count = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.RecordCount..]);
        ReadOnlyMemory<byte> body = decodedBody ?? Body(batch, new ArrayBufferWriter<byte>());
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
            ReadOnlyMemory<byte>? key = Bytes(body, ref p, end);
            ReadOnlyMemory<byte>? value = Bytes(body, ref p, end);
            var headers = new List<(string, ReadOnlyMemory<byte>?)>();
            if (Varint.TryReadVarInt(span, ref p, out int headerCount))
            {
                for (int h = 0; h < headerCount && p < end; h++)
                {
                    ReadOnlyMemory<byte>? name = Bytes(body, ref p, end);
                    ReadOnlyMemory<byte>? headerValue = Bytes(body, ref p, end);
                    headers.Add((name is { } n ? System.Text.Encoding.UTF8.GetString(n.Span) : "", headerValue));
                }
            }
            into.Add(new BrowsedRecord(baseOffset + offsetDelta, logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta,
                logAppendTime, key, value, headers));
            p = end;
        }
    }

    private static ReadOnlyMemory<byte>? Bytes(ReadOnlyMemory<byte> body, ref int p, int end)
    {
        if (!Varint.TryReadVarInt(body.Span, ref p, out int length) || length < 0)
        {
            return null;
        }
        if (length > end - p)
        {
            throw new InvalidDataException("A record field runs past its record.");
        }
        ReadOnlyMemory<byte> slice = body.Slice(p, length);
        p += length;
        return slice;
    }
}

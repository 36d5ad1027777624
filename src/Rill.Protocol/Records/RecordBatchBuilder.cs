using System.Buffers;
using System.Buffers.Binary;
using Rill.Protocol.Compression;

namespace Rill.Protocol.Records;

/// <summary>One record to put in a batch.</summary>
public readonly record struct RecordData(long Timestamp, ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value,
    IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>?>>? Headers = null);

/// <summary>Batch-level settings for <see cref="RecordBatchBuilder"/>.</summary>
public sealed record BatchOptions(long BaseOffset = 0, CompressionType Compression = CompressionType.None,
    long ProducerId = -1, short ProducerEpoch = -1, int BaseSequence = -1, bool Transactional = false, bool Control = false,
    bool LogAppendTime = false, int PartitionLeaderEpoch = -1);

/// <summary>Writes a magic-2 record batch: records (optionally compressed), header, CRC-32C.</summary>
public static class RecordBatchBuilder
{
    public static byte[] Build(IReadOnlyList<RecordData> records, BatchOptions? options = null)
    {
        var writer = new ArrayBufferWriter<byte>();
        Write(records, options ?? new BatchOptions(), writer);
        return writer.WrittenSpan.ToArray();
    }

    public static void Write(IReadOnlyList<RecordData> records, BatchOptions options, IBufferWriter<byte> output)
    {
        if (records.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one record.", nameof(records));
        }
        long baseTimestamp = long.MaxValue, maxTimestamp = long.MinValue;
        foreach (RecordData r in records)
        {
            baseTimestamp = Math.Min(baseTimestamp, r.Timestamp);
            maxTimestamp = Math.Max(maxTimestamp, r.Timestamp);
        }

        var body = new ArrayBufferWriter<byte>();
        for (int i = 0; i < records.Count; i++)
        {
            WriteRecord(body, records[i], i, baseTimestamp);
        }
        ReadOnlySpan<byte> payload = body.WrittenSpan;
        ArrayBufferWriter<byte>? compressed = null;
        if (options.Compression != CompressionType.None)
        {
            compressed = new ArrayBufferWriter<byte>();
            Codecs.Compress(options.Compression, payload, compressed);
            payload = compressed.WrittenSpan;
        }

        int total = RecordBatchLayout.HeaderSize + payload.Length;
        Span<byte> batch = output.GetSpan(total)[..total];
        short attributes = (short)((int)options.Compression
            | (options.LogAppendTime ? RecordBatchLayout.TimestampTypeFlag : 0)
            | (options.Transactional ? RecordBatchLayout.TransactionalFlag : 0)
            | (options.Control ? RecordBatchLayout.ControlFlag : 0));
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffset..], options.BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLength..], total - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpoch..], options.PartitionLeaderEpoch);
        batch[RecordBatchLayout.Magic] = 2;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.Attributes..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDelta..], records.Count - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestamp..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestamp..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerId..], options.ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpoch..], options.ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequence..], options.BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordCount..], records.Count);
        payload.CopyTo(batch[RecordBatchLayout.HeaderSize..]);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.Crc..], Crc32C.Compute(batch[RecordBatchLayout.Attributes..]));
        output.Advance(total);
    }

    private static void WriteRecord(ArrayBufferWriter<byte> body, RecordData record, int offsetDelta, long baseTimestamp)
    {
        long timestampDelta = record.Timestamp - baseTimestamp;
        int keyLength = record.Key?.Length ?? -1;
        int valueLength = record.Value?.Length ?? -1;
        int size = 1 + Varint.SizeOf(timestampDelta) + Varint.SizeOf(offsetDelta)
            + Varint.SizeOf(keyLength) + Math.Max(0, keyLength)
            + Varint.SizeOf(valueLength) + Math.Max(0, valueLength);
        var headers = record.Headers ?? [];
        size += Varint.SizeOf(headers.Count);
        foreach (var (name, value) in headers)
        {
            int nameLength = System.Text.Encoding.UTF8.GetByteCount(name);
            int headerValueLength = value?.Length ?? -1;
            size += Varint.SizeOf(nameLength) + nameLength + Varint.SizeOf(headerValueLength) + Math.Max(0, headerValueLength);
        }

        Span<byte> span = body.GetSpan(Varint.SizeOf(size) + size);
        int p = Varint.Write(span, size);
        span[p++] = 0;
        p += Varint.Write(span[p..], timestampDelta);
        p += Varint.Write(span[p..], offsetDelta);
        p += Varint.Write(span[p..], keyLength);
        if (record.Key is { } key)
        {
            key.Span.CopyTo(span[p..]);
            p += key.Length;
        }
        p += Varint.Write(span[p..], valueLength);
        if (record.Value is { } value2)
        {
            value2.Span.CopyTo(span[p..]);
            p += value2.Length;
        }
        p += Varint.Write(span[p..], headers.Count);
        foreach (var (name, value) in headers)
        {
            int nameLength = System.Text.Encoding.UTF8.GetByteCount(name);
            p += Varint.Write(span[p..], nameLength);
            p += System.Text.Encoding.UTF8.GetBytes(name, span[p..]);
            p += Varint.Write(span[p..], value?.Length ?? -1);
            if (value is { } v)
            {
                v.Span.CopyTo(span[p..]);
                p += v.Length;
            }
        }
        body.Advance(p);
    }
}

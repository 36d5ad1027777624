using System.Buffers.Binary;
using Rill.Protocol.Records;
using Rill.Storage.Internal;

namespace Rill.Storage.Tests;

/// <summary>Builds uncompressed record batches (magic 2, CRC32C filled in) for tests.</summary>
internal static class TestBatch
{
    public static byte[] Create(int records, long timestamp, int valueSize = 16, long producerId = -1,
        short producerEpoch = -1, int baseSequence = -1, long[]? timestamps = null, byte fill = 0x41)
    {
        var body = new List<byte>();
        long maxTs = long.MinValue;
        for (int i = 0; i < records; i++)
        {
            long ts = timestamps?[i] ?? timestamp;
            maxTs = Math.Max(maxTs, ts);
            var rec = new List<byte> { 0 };
            WriteVarint(rec, ts - timestamp);
            WriteVarint(rec, i);
            WriteVarint(rec, -1); // null key
            WriteVarint(rec, valueSize);
            for (int v = 0; v < valueSize; v++) rec.Add((byte)(fill + (i % 20)));
            WriteVarint(rec, 0); // no headers
            WriteVarint(body, rec.Count);
            body.AddRange(rec);
        }

        byte[] batch = new byte[RecordBatchLayout.HeaderSize + body.Count];
        Span<byte> s = batch;
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.BaseOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.BatchLength..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.PartitionLeaderEpoch..], 0);
        s[RecordBatchLayout.Magic] = 2;
        BinaryPrimitives.WriteInt16BigEndian(s[RecordBatchLayout.Attributes..], 0);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.LastOffsetDelta..], records - 1);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.BaseTimestamp..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.MaxTimestamp..], maxTs);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.ProducerId..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(s[RecordBatchLayout.ProducerEpoch..], producerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.BaseSequence..], baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.RecordCount..], records);
        body.CopyTo(batch, RecordBatchLayout.HeaderSize);
        Batch.UpdateCrc(batch);
        return batch;
    }

    /// <summary>A transactional data batch (attribute bit 4) of producer id/epoch from sequence <paramref name="baseSequence"/>.</summary>
    public static byte[] Transactional(int records, long timestamp, long producerId, short producerEpoch, int baseSequence, int valueSize = 16)
    {
        byte[] batch = Create(records, timestamp, valueSize, producerId, producerEpoch, baseSequence);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchLayout.Attributes), (short)RecordBatchLayout.TransactionalFlag);
        Batch.UpdateCrc(batch);
        return batch;
    }

    public static byte[] Concat(params byte[][] batches)
    {
        var all = new List<byte>();
        foreach (byte[] b in batches) all.AddRange(b);
        return all.ToArray();
    }

    public static long BaseOffset(ReadOnlySpan<byte> b) => Batch.BaseOffset(b);
    public static long MaxTimestamp(ReadOnlySpan<byte> b) => Batch.MaxTimestamp(b);
    public static int Size(ReadOnlySpan<byte> b) => Batch.TotalSize(b);

    /// <summary>Base offsets of the batches in a buffer.</summary>
    public static List<long> BaseOffsets(ReadOnlySpan<byte> data)
    {
        var result = new List<long>();
        int pos = 0;
        while (pos + RecordBatchLayout.LogOverhead <= data.Length)
        {
            result.Add(Batch.BaseOffset(data[pos..]));
            pos += Batch.TotalSize(data[pos..]);
        }
        return result;
    }

    private static void WriteVarint(List<byte> output, long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            output.Add((byte)(v | 0x80));
            v >>= 7;
        }
        output.Add((byte)v);
    }
}

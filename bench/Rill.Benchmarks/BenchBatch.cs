using System.Buffers.Binary;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>Builds an uncompressed magic-2 batch of <c>records</c> keyless records for the benchmarks.</summary>
internal static class BenchBatch
{
    public static byte[] Create(int records, int valueSize)
    {
        var buffer = new List<byte>();
        for (int i = 0; i < records; i++)
        {
            int bodySize = 1 + 1 + Varint.Size(i) + 1 + Varint.Size(valueSize) + valueSize + 1;
            Varint.Write(buffer, bodySize);
            buffer.Add(0);                 // attributes
            Varint.Write(buffer, 0);       // timestamp delta
            Varint.Write(buffer, i);       // offset delta
            Varint.Write(buffer, -1);      // null key
            Varint.Write(buffer, valueSize);
            for (int v = 0; v < valueSize; v++)
            {
                buffer.Add((byte)('a' + v % 26));
            }
            Varint.Write(buffer, 0);       // no headers
        }

        byte[] batch = new byte[RecordBatchLayout.HeaderSize + buffer.Count];
        Span<byte> s = batch;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.BatchLength..], batch.Length - RecordBatchLayout.LogOverhead);
        s[RecordBatchLayout.Magic] = 2;
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.LastOffsetDelta..], records - 1);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.BaseTimestamp..], now);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.MaxTimestamp..], now);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.ProducerId..], -1);
        BinaryPrimitives.WriteInt16BigEndian(s[RecordBatchLayout.ProducerEpoch..], -1);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.BaseSequence..], -1);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.RecordCount..], records);
        buffer.CopyTo(batch, RecordBatchLayout.HeaderSize);
        Rill.Storage.Internal.Batch.UpdateCrc(batch);
        return batch;
    }

    private static class Varint
    {
        public static int Size(long value)
        {
            ulong v = (ulong)((value << 1) ^ (value >> 63));
            int size = 1;
            while (v >= 0x80)
            {
                v >>= 7;
                size++;
            }
            return size;
        }

        public static void Write(List<byte> output, long value)
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
}

using System.Buffers.Binary;
using Rill.Protocol.Records;

namespace Rill.Broker.Topics;

/// <summary>Walks the headers of stored batches (magic 2), one step per batch, never per record.</summary>
internal static class RecordBatchWalker
{
    /// <summary>One past the last offset of the last whole batch in <paramref name="batches"/> (-1 when none).</summary>
    public static long NextOffsetAfter(ReadOnlySpan<byte> batches)
    {
        long next = -1;
        int pos = 0;
        while (pos + RecordBatchLayout.HeaderSize <= batches.Length)
        {
            ReadOnlySpan<byte> b = batches[pos..];
            int total = BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.BatchLength..]) + RecordBatchLayout.LogOverhead;
            if (total < RecordBatchLayout.HeaderSize || total > b.Length) break;
            next = BinaryPrimitives.ReadInt64BigEndian(b) + BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.LastOffsetDelta..]) + 1;
            pos += total;
        }
        return next;
    }
}

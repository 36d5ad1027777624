using System.Buffers.Binary;
using Rill.Broker.Metrics;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Broker.Replication;

/// <summary>
/// Reads of a replicated partition. Consumers never see a record at or above the high watermark: the whole
/// batches read are cut at the first batch that reaches it (a walk over batch headers, no per-record work),
/// and the high watermark reported is the replica's, not the log end offset. Followers read up to the log end.
/// </summary>
internal static class ReplicaReads
{
    public static PartitionReadResult BelowHighWatermark(Partition partition, long highWatermark, long offset, int maxBytes, bool minOneBatch,
        IReadBufferSource buffers)
    {
        LogReadResult read = partition.Log.Read(offset, maxBytes, minOneBatch);
        if (read.Error != ErrorCode.None)
        {
            return new PartitionReadResult(read.Error, ReadOnlyMemory<byte>.Empty, highWatermark, read.LogStartOffset, partition.LastStableOffset);
        }
        if (offset >= highWatermark)
        {
            return new PartitionReadResult(ErrorCode.None, ReadOnlyMemory<byte>.Empty, highWatermark, read.LogStartOffset, partition.LastStableOffset);
        }
        ReadOnlyMemory<byte> records = read.CopyTo(buffers);
        records = records[..CommittedLength(records.Span, highWatermark)];
        BrokerMeters.BytesOut.Add(records.Length, partition.MetricTags);
        return new PartitionReadResult(ErrorCode.None, records, highWatermark, read.LogStartOffset, partition.LastStableOffset);
    }

    /// <summary>The length of the leading whole batches whose last offset is below <paramref name="highWatermark"/>.</summary>
    public static int CommittedLength(ReadOnlySpan<byte> batches, long highWatermark)
    {
        int pos = 0;
        while (batches.Length - pos >= RecordBatchLayout.LastOffsetDelta + 4)
        {
            ReadOnlySpan<byte> b = batches[pos..];
            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(b);
            int total = BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.BatchLength..]) + RecordBatchLayout.LogOverhead;
            long last = baseOffset + BinaryPrimitives.ReadInt32BigEndian(b[RecordBatchLayout.LastOffsetDelta..]);
            if (last >= highWatermark || total > b.Length)
            {
                break;
            }
            pos += total;
        }
        return pos;
    }

    /// <summary>A follower's fetch: everything up to the leader's log end offset.</summary>
    public static PartitionReadResult ForFollower(Partition partition, long highWatermark, long offset, int maxBytes, IReadBufferSource buffers)
    {
        LogReadResult read = partition.Log.Read(offset, maxBytes, minOneBatch: true);
        ReadOnlyMemory<byte> records = read.Error == ErrorCode.None ? read.CopyTo(buffers) : ReadOnlyMemory<byte>.Empty;
        return new PartitionReadResult(read.Error, records, highWatermark, read.LogStartOffset, highWatermark);
    }
}

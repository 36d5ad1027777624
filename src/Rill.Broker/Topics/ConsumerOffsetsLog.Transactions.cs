using Rill.Coordination.Groups;
using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Broker.Topics;

internal sealed partial class ConsumerOffsetsLog : ITransactionalGroupStateLog
{
    private readonly Lock _transactionalLock = new();

    /// <summary>After <see cref="ReadAll"/>: offset records of transactions that had no marker yet.</summary>
    public List<(long ProducerId, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> OpenTransactionalRecords { get; } = [];

    /// <summary>
    /// TxnOffsetCommit's records: one transactional batch of the producer id/epoch, in sequence
    /// after that producer's earlier batches in the partition (the marker later decides them).
    /// </summary>
    public void AppendTransactional(string groupId, long producerId, short producerEpoch, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        Partition partition = PartitionForWrite(groupId);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long lastOffset;
        lock (_transactionalLock)
        {
            int sequence = partition.Log.NextSequence(producerId, producerEpoch);
            byte[] batch = RecordBatchBuilder.Build(records.Select(r => new RecordData(now, r.Key, r.Value)).ToList(),
                new BatchOptions(ProducerId: producerId, ProducerEpoch: producerEpoch, BaseSequence: sequence, Transactional: true));
            var result = partition.Log.Append(batch);
            if (result.Error != ErrorCode.None)
            {
                throw new GroupStateLogException(result.Error, $"Writing to {TopicName}-{partition.Index} failed: {result.Error}");
            }
            partition.Appended.Notify();
            lastOffset = result.LastOffset;
        }
        Replication.CoordinatorWrites.AwaitCommitted(partition, lastOffset, CommitTimeoutMs, notifyReplica: true);
    }

    /// <summary>The partition of __consumer_offsets that holds <paramref name="groupId"/>, creating the topic if needed.</summary>
    public int PartitionOf(string groupId)
    {
        Topic topic = _topics.Find(TopicName) ?? (Replicated
            ? throw new GroupStateLogException(Rill.Protocol.ErrorCode.NotCoordinator, $"{TopicName} does not exist on this broker yet.")
            : Create());
        return PartitionFor(groupId, topic.Partitions.Length);
    }
}
